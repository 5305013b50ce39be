import ArgumentParser
import Foundation
import Latent
import LatentIR
import LatentPictures

/// `latent interpolate RUN`: decoded points on the line between two examples' codes.
struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Decode evenly spaced points between the codes of two examples.",
        discussion: "Without --npy or --png the decoded points are printed as CSV, one per line.")

    @OptionGroup var options: RunOptions

    @Option(parsing: .unconditional, help: "Index of the first example.")
    var from: Int = 0

    @Option(parsing: .unconditional, help: "Index of the second example.")
    var to: Int = 1

    @Option(parsing: .unconditional, help: "How many points, both ends included (2-1000).")
    var steps: Int = 10

    @Option(help: "Draw the decoded points in a row into this PNG file.")
    var png: String?

    @Option(help: "Write the decoded points to this .npy file.")
    var npy: String?

    func validate() throws {
        try OptionChecks.check(steps, "--steps", in: 2...1000)
        try OptionChecks.check(from, "--from", in: 0...Int.max)
        try OptionChecks.check(to, "--to", in: 0...Int.max)
    }

    func run() throws {
        let trained = try options.load()
        let data = try options.examples(of: trained)
        let outputs = try trained.interpolate(
            data, from: from, to: to, steps: steps, seed: UInt64(options.seed), threads: options.threads)
        let shape = trained.pipeline.model.spec.data.shape.value
        if let npy { try Output.npy(outputs, shape: [steps] + shape, to: npy) }
        if let png {
            let (height, imageWidth) = try Output.requireImageSize(shape)
            let images = Pictures.rows(outputs, count: steps)
            try Output.png(Plots.grid(images, width: imageWidth, height: height, columns: steps), to: png)
        }
        if npy == nil && png == nil { Output.csv(outputs, rows: steps) }
    }
}
