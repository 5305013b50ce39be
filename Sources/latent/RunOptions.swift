import ArgumentParser
import Foundation
import LatentPictures
import LatentRuntime

/// What every command on a trained run takes.
struct RunOptions: ParsableArguments {
    @Argument(help: "A run directory made by latent train, or its checkpoint file.")
    var runPath: String

    @Option(help: "Data file (.npy, .csv, IDX) or Fashion-MNIST folder (default: the spec's test split).")
    var data: String?

    @Option(parsing: .unconditional, help: "Seed of every random draw (0 or more).")
    var seed: Int = 1

    func validate() throws { try OptionChecks.check(seed, "--seed", in: 0...Int.max) }

    @OptionGroup var kernels: MachineOptions

    var threads: Int { kernels.threads }

    /// The run, loaded (the memory limit applied first).
    func load() throws -> TrainedRun {
        kernels.apply()
        return try TrainedRun(path: runPath)
    }

    /// The examples to work on: `--data`, else the spec's test split (Fashion-MNIST's t10k,
    /// a second draw of a synthetic set, or the spec's own file when it has no split).
    func examples(of run: TrainedRun, test: Bool = true) throws -> Dataset {
        var spec = run.pipeline.model.spec.data
        spec.source.value = try TrainingData.source(of: spec, specPath: run.specPath, override: data, test: test)
        var examples = try TrainingData.load(spec, specPath: run.specPath, seed: run.trainingSeed, test: test)
        examples.binarization = .none
        return examples
    }
}

/// Writing the pictures and arrays commands produce, with errors as data errors.
enum Output {
    static func png(_ image: Image, to path: String) throws {
        do { try PNG.write(image, to: path) } catch {
            throw CommandFailure.data("\(error)")
        }
        print("wrote \(path) (\(image.width)x\(image.height))")
    }

    static func npy(_ values: [Float], shape: [Int], to path: String) throws {
        do { try NPY.write(values, shape: shape, to: path) } catch {
            throw CommandFailure.data("\(error)")
        }
        print("wrote \(path) (\(shape.map(String.init).joined(separator: " x ")))")
    }

    /// Prints `values` as `rows` lines of comma-separated numbers.
    static func csv(_ values: [Float], rows: Int) {
        for row in Self.rows(values, count: rows) { print(row.map { String($0) }.joined(separator: ",")) }
    }

    /// `values` cut into `count` equal rows.
    static func rows(_ values: [Float], count: Int) -> [[Float]] {
        let width = values.count / max(count, 1)
        return (0..<count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// Image height and width of a data shape for `--png`, or a usage error saying why not.
    static func requireImageSize(_ shape: [Int]) throws -> (height: Int, width: Int) {
        guard let size = imageSize(shape) else {
            throw CommandFailure.usage("--png draws image data; this data has shape \(shape)")
        }
        return size
    }

    /// Image height and width of a data shape ([h, w], [1, h, w], or a flat length that is a
    /// square of at least 4 x 4, such as Fashion-MNIST's 784), or nil.
    static func imageSize(_ shape: [Int]) -> (height: Int, width: Int)? {
        if shape.count == 1 {
            let side = Int(Double(shape[0]).squareRoot().rounded())
            return side >= 4 && side * side == shape[0] ? (side, side) : nil
        }
        if shape.count == 2 { return (shape[0], shape[1]) }
        if shape.count == 3, shape[0] == 1 { return (shape[1], shape[2]) }
        return nil
    }
}
