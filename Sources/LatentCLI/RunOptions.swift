import ArgumentParser
import Foundation
import Latent
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

    /// The examples to work on: `--data`, else the spec's test split (or training data).
    func examples(of run: TrainedRun, test: Bool = true) throws -> Dataset {
        try run.examples(dataPath: data, test: test)
    }
}

/// Writing the pictures and arrays commands produce, with errors as data errors.
enum Output {
    static func png(_ image: Image, to path: String) throws {
        do { try PNG.write(image, to: path) } catch {
            throw LatentError.data("\(error)")
        }
        print("wrote \(path) (\(image.width)x\(image.height))")
    }

    static func npy(_ values: [Float], shape: [Int], to path: String) throws {
        do { try NPY.write(values, shape: shape, to: path) } catch {
            throw LatentError.data("\(error)")
        }
        print("wrote \(path) (\(shape.map(String.init).joined(separator: " x ")))")
    }

    /// Prints `values` as `rows` lines of comma-separated numbers.
    static func csv(_ values: [Float], rows: Int) {
        for row in Pictures.rows(values, count: rows) { print(row.map { String($0) }.joined(separator: ",")) }
    }

    /// Image height and width of a data shape for `--png`, or a usage error saying why not.
    static func requireImageSize(_ shape: [Int]) throws -> (height: Int, width: Int) {
        guard let size = Pictures.imageSize(shape) else {
            throw LatentError.usage("--png draws image data; this data has shape \(shape)")
        }
        return size
    }
}
