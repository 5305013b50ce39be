import ArgumentParser
import Foundation
import LatentRuntime
import LatentSpec

/// The data a spec trains on: its own source, or a file or folder given with `--data`.
enum TrainingData {
    /// Loads the examples (the test split where the source has one and `test` is set),
    /// with the spec's binarisation; a missing or malformed source prints why and exits with 1.
    static func load(_ data: DataSpec, specPath: String, override: String?, seed: UInt64, test: Bool = false) throws
        -> Dataset
    {
        var set: Dataset
        let range = data.range?.value ?? ClosedInterval(low: 0, high: 1)
        do {
            if let override {
                set = try loadPath(override, width: data.width, range: range, test: test)
            } else {
                switch data.source.value {
                case .synthetic(let synthetic):
                    set = Dataset.synthetic(synthetic, seed: seed, test: test)
                case .fashionMNIST:
                    set = try Dataset.fashionMNIST(test: test, range: range)
                case .file(let format, let path, let labels):
                    // Paths in a spec are relative to the spec's folder.
                    let folder = URL(fileURLWithPath: specPath).deletingLastPathComponent()
                    func resolve(_ file: String) -> String {
                        file.hasPrefix("/") ? file : folder.appendingPathComponent(file).path
                    }
                    set = try DataFiles.load(
                        format, path: resolve(path), labels: labels.map(resolve), width: data.width, range: range)
                }
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode.specErrors
        }
        set.binarization = data.binarize.value
        set.binarizationSeed = seed
        return set
    }

    /// A folder holds Fashion-MNIST's IDX files; a file's format follows its extension.
    static func loadPath(_ path: String, width: Int, range: ClosedInterval, test: Bool) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataFiles.Failure(description: "\(path): no such file or folder (--data)")
        }
        if isDirectory.boolValue { return try Dataset.fashionMNIST(directory: path, test: test, range: range) }
        let name = path.lowercased()
        let format: DataFileFormat
        if name.hasSuffix(".npy") {
            format = .npy
        } else if name.hasSuffix(".csv") {
            format = .csv
        } else if name.hasSuffix(".gz") || name.hasSuffix("ubyte") || name.hasSuffix(".idx") {
            format = .idx
        } else {
            throw DataFiles.Failure(
                description:
                    "\(path): unknown data format; --data takes a .npy, .csv or IDX file, or a Fashion-MNIST folder")
        }
        return try DataFiles.load(format, path: path, labels: nil, width: width, range: range)
    }
}
