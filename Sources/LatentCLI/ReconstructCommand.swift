import ArgumentParser
import Foundation
import Latent
import LatentPictures

/// `latent reconstruct RUN`: originals beside their reconstructions.
struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Reconstruct examples through the encoder and decoder; draw originals above reconstructions.",
        discussion: "Without --npy or --png the reconstructions are printed as CSV, one per line.")

    @OptionGroup var options: RunOptions

    @Option(name: .short, parsing: .unconditional, help: "How many examples (1-10000).")
    var n: Int = 16

    @Option(help: "Draw originals (odd rows) above reconstructions (even rows) into this PNG file.")
    var png: String?

    @Option(help: "Write the reconstructions to this .npy file.")
    var npy: String?

    func validate() throws { try OptionChecks.check(n, "-n", in: 1...10_000) }

    func run() throws {
        let trained = try options.load()
        let data = try options.examples(of: trained)
        let count = min(n, data.count)
        let outputs = try trained.reconstruct(data, count: count, seed: options.seed, threads: options.threads)
        let shape = trained.pipeline.model.spec.data.shape.value
        if let npy { try Output.npy(outputs, shape: [count] + shape, to: npy) }
        guard let png else {
            if npy == nil { Output.csv(outputs, rows: count) }
            return
        }
        let (height, width) = try Output.requireImageSize(shape)
        try Output.png(
            Pictures.reconstructions(originals: data.first(count), reconstructions: outputs, count: count, height: height, width: width),
            to: png)
    }
}
