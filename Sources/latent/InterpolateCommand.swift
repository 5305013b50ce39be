import ArgumentParser
import Foundation
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
        guard from >= 0, to >= 0, from < data.count, to < data.count else {
            throw CommandFailure.usage("--from and --to must be example indices below \(data.count)")
        }
        let encoder = try trained.bind("encode", batch: 2, threads: options.threads, purpose: "interpolate")
        data.fill(ArraySlice([from, to]), into: encoder.data)
        encoder.run(seed: UInt64(options.seed), step: 0)
        let width = encoder.output.count / 2
        let ends = (Array(encoder.output.prefix(width)), Array(encoder.output.suffix(width)))
        let decoder = try trained.bind("decode", batch: steps, threads: options.threads, purpose: "interpolate")
        let codes = decoder.input(InputName.codes)
        for step in 0..<steps {
            let t = Float(step) / Float(steps - 1)
            for j in 0..<width { codes[step * width + j] = (1 - t) * ends.0[j] + t * ends.1[j] }
        }
        decoder.run(seed: UInt64(options.seed), step: 0)
        let outputs = Array(decoder.output)
        let shape = trained.pipeline.model.spec.data.shape.value
        if let npy { try Output.npy(outputs, shape: [steps] + shape, to: npy) }
        if let png {
            let (height, imageWidth) = try Output.requireImageSize(shape)
            let images = Output.rows(outputs, count: steps)
            try Output.png(Plots.grid(images, width: imageWidth, height: height, columns: steps), to: png)
        }
        if npy == nil && png == nil { Output.csv(outputs, rows: steps) }
    }
}
