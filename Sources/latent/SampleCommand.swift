import ArgumentParser
import Foundation
import LatentRuntime

/// `latent sample RUN`: draws from the trained model.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a trained model: latents from their priors, decoded (a GAN's generator output).",
        discussion: """
            For a likelihood model each sample is the mean of p(x | z) (pixel probabilities for \
            a Bernoulli decoder). The same seed gives the same samples, and the first k samples \
            do not depend on -n. Without --npy the samples are printed as CSV, one per line.
            """)

    @Argument(help: "A run directory made by latent train, or its checkpoint file.")
    var runPath: String

    @Option(name: .short, help: "How many samples.")
    var n: Int = 64

    @Option(help: "Seed of the prior draws.")
    var seed: Int = 1

    @Option(help: "Write the samples to this .npy file (float32, shape [n, data shape]).")
    var npy: String?

    @Option(help: "Threads for the kernels (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if n < 1 || n > 10_000_000 { throw ValidationError("-n must be between 1 and 10000000") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    func run() throws {
        let trained = try TrainedRun(path: runPath)
        let values = trained.run("sample", count: n, seed: UInt64(seed), threads: threads)
        let shape = trained.pipeline.model.spec.data.shape.value
        guard let npy else {
            let width = values.count / n
            for row in 0..<n {
                print(values[(row * width)..<((row + 1) * width)].map { String($0) }.joined(separator: ","))
            }
            return
        }
        do { try NPY.write(values, shape: [n] + shape, to: npy) } catch {
            printError("error: \(error)")
            throw ExitCode.usage
        }
        print("wrote \(n) samples to \(npy)")
    }
}
