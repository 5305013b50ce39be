import Foundation
import LatentData
import LatentRuntime
import LatentSpec

/// The data a spec trains or is evaluated on: its own source, or a file or folder given with
/// `--data`, always checked against the spec's shape (and label space) before any buffer is
/// filled from it.
public enum TrainingData {
    /// The source to read: `override` (a file, or a Fashion-MNIST folder, whose test split
    /// is read when `test` is set) when given, else the spec's own; file paths become
    /// absolute (a spec's are relative to its folder), so a run directory's resolved spec
    /// finds its data from anywhere.
    public static func source(of data: DataSpec, specPath: String, override: String?, test: Bool = false) throws
        -> DataSource
    {
        guard let override else {
            guard case .file(let format, let path, let labels) = data.source.value else { return data.source.value }
            let folder = URL(fileURLWithPath: specPath).deletingLastPathComponent()
            func absolute(_ file: String) -> String {
                file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardizedFileURL.path
            }
            return .file(format, path: absolute(path), labels: labels.map(absolute))
        }
        let path = URL(fileURLWithPath: override).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LatentError.usage("--data \(override): no such file or folder")
        }
        if isDirectory.boolValue {
            let split = test ? "t10k" : "train"
            return .file(
                .idx, path: path + "/\(split)-images-idx3-ubyte.gz", labels: path + "/\(split)-labels-idx1-ubyte.gz")
        }
        let name = path.lowercased()
        if name.hasSuffix(".npy") { return .file(.npy, path: path, labels: nil) }
        if name.hasSuffix(".csv") { return .file(.csv, path: path, labels: nil) }
        if name.hasSuffix(".gz") || name.hasSuffix("ubyte") || name.hasSuffix(".idx") {
            return .file(.idx, path: path, labels: nil)
        }
        throw LatentError.usage(
            "--data \(override): unknown data format; --data takes a .npy, .csv or IDX file, or a Fashion-MNIST folder")
    }

    /// Loads the examples of `data` (its test split where the source has one and `test` is
    /// set), with the spec's binarisation, checked to have the spec's width and, when
    /// `labelClasses` is given, a label in 0..<labelClasses for every example.
    public static func load(_ data: DataSpec, specPath: String, seed: UInt64, labelClasses: Int? = nil, test: Bool = false)
        throws -> Dataset
    {
        var set: Dataset
        let range = data.range?.value ?? ClosedInterval(low: 0, high: 1)
        let source = try source(of: data, specPath: specPath, override: nil)
        do {
            switch source {
            case .synthetic(let synthetic):
                set = Dataset.synthetic(synthetic, seed: seed, test: test)
            case .fashionMNIST:
                set = try Dataset.fashionMNIST(test: test, range: range)
            case .file(let format, let path, let labels):
                set = try DataFiles.load(format, path: path, labels: labels, range: range)
            }
            set = try set.checked(width: data.width, labelClasses: labelClasses, source: source.canonicalText)
        } catch {
            throw LatentError.data("\(error)")
        }
        set.binarization = data.binarize.value
        set.binarizationSeed = seed
        return set
    }

    /// Examples to evaluate on, never binarised: `dataPath` (a file or a Fashion-MNIST
    /// folder) if given, else the spec's test split (or, with `test` false, its training
    /// data); with `labelClasses`, checked and one-hot as in `load`.
    public static func evaluationExamples(
        _ data: DataSpec, specPath: String, seed: UInt64, dataPath: String? = nil, test: Bool = true,
        labelClasses: Int? = nil
    ) throws -> Dataset {
        var spec = data
        spec.source.value = try source(of: data, specPath: specPath, override: dataPath, test: test)
        var examples = try load(spec, specPath: specPath, seed: seed, labelClasses: labelClasses, test: test)
        examples.binarization = .none
        return examples
    }

    /// What loading `data` takes in memory, known before loading it (a file's size on disk
    /// counts twice: read, then converted).
    public static func estimatedBytes(_ data: DataSpec) -> Int? {
        switch data.source.value {
        case .synthetic(let set): return Sizes.product([set.count, set.dimension * 4 + 8])
        case .fashionMNIST: return 60_000 * (784 + 8)
        case .file(_, let path, let labels):
            let sizes = ([path] + (labels.map { [$0] } ?? [])).map { file in
                (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            }
            return Sizes.sum(sizes.map { 2 * $0 })
        }
    }
}
