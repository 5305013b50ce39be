import ArgumentParser
import Foundation
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
        let outputs = try trained.outputs(
            of: "reconstruct", on: data, count: count, seed: options.seed, threads: options.threads,
            purpose: "reconstruct")
        let shape = trained.pipeline.model.spec.data.shape.value
        if let npy { try Output.npy(outputs, shape: [count] + shape, to: npy) }
        guard let png else {
            if npy == nil { Output.csv(outputs, rows: count) }
            return
        }
        let (height, width) = try Output.requireImageSize(shape)
        try Output.png(
            Self.picture(originals: data.first(count), reconstructions: outputs, count: count, height: height, width: width),
            to: png)
    }

    /// Originals (odd rows) above their reconstructions (even rows), eight to a row.
    static func picture(originals: [Float], reconstructions: [Float], count: Int, height: Int, width: Int) -> Image {
        let passes = [Output.rows(originals, count: count), Output.rows(reconstructions, count: count)]
        let columns = min(count, 8)
        var images: [[Float]] = []
        for start in stride(from: 0, to: count, by: columns) {
            for pass in passes {
                images += pass[start..<min(count, start + columns)]
                images += Array(
                    repeating: [Float](repeating: 0.5, count: height * width),
                    count: start + columns - min(count, start + columns))
            }
        }
        return Plots.grid(images, width: width, height: height, columns: columns)
    }
}
