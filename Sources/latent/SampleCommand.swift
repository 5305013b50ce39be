import ArgumentParser
import Foundation
import LatentIR
import LatentPictures
import LatentRuntime
import LatentSpec

/// `latent sample RUN`: draws from the trained model.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a trained model: latents from their priors, decoded (a GAN's generator output).",
        discussion: """
            For a likelihood model each sample is the mean of p(x | z) (pixel probabilities for \
            a Bernoulli decoder). The same seed gives the same samples, and the first k samples \
            do not depend on -n. Without --npy or --png the samples are printed as CSV, one per \
            line. --png draws a grid for image data, and for 2-D data a scatter plot of the \
            samples beside the data.
            """)

    @OptionGroup var options: RunOptions

    @Option(name: .short, parsing: .unconditional, help: "How many samples (1-1000000).")
    var n: Int = 64

    @Option(parsing: .unconditional, help: "Fix the categorical latent (a semi-supervised or clustering AAE's label) to this class.")
    var label: Int?

    @Flag(
        help:
            "Draw n samples for every class of the categorical latent, the other latents shared by the classes (a picture's rows are classes, its columns styles)."
    )
    var everyLabel = false

    @Option(help: "Write the samples to this .npy file (float32, shape [samples, data shape]).")
    var npy: String?

    @Option(help: "Draw the samples into this PNG file.")
    var png: String?

    func validate() throws {
        try OptionChecks.check(n, "-n", in: 1...1_000_000)
        if everyLabel && label != nil { throw ValidationError("--label and --every-label exclude each other") }
    }

    func run() throws {
        let trained = try options.load()
        let values = try draw(trained)
        let shape = trained.pipeline.model.spec.data.shape.value
        let count = values.count / max(shape.reduce(1, *), 1)
        if let npy { try Output.npy(values, shape: [count] + shape, to: npy) }
        if let png { try Output.png(picture(values, count: count, shape: shape, trained: trained), to: png) }
        if npy == nil && png == nil { Output.csv(values, rows: count) }
    }

    /// Samples through the `sample` phase, or with `--label` (`--every-label`) through `decode`
    /// with the label fixed and the other latents drawn from their priors here, the same
    /// draws for every label.
    func draw(_ trained: TrainedRun) throws -> [Float] {
        let seed = UInt64(options.seed)
        guard label != nil || everyLabel else {
            let sampler = try trained.bind("sample", batch: min(n, 1000), threads: options.threads, purpose: "sample")
            return try trained.outputs(sampler, count: n, seed: seed)
        }
        let latents = trained.latents
        guard let index = latents.firstIndex(where: { $0.distribution.isCategorical }) else {
            throw CommandFailure.usage("--label needs a categorical latent; \(options.runPath) has none")
        }
        let classes = latents[index].width
        if let label, label < 0 || label >= classes {
            throw CommandFailure.usage("--label must be between 0 and \(classes - 1)")
        }
        let offset = latents.prefix(index).reduce(0) { $0 + $1.width }
        let rows = Sizes.product([n, label == nil ? classes : 1])
        do {
            try MemoryBudget.require(
                [("samples", rows.flatMap { Sizes.product([$0, trained.pipeline.model.spec.data.width, 4]) })],
                for: "sampling \(rows ?? 0) rows")
        } catch { throw CommandFailure.resources("\(error)") }
        let decoder = try trained.bind("decode", batch: min(n, 1000), threads: options.threads, purpose: "sample")
        let philox = Philox(seed: seed)
        let codes = decoder.input(InputName.codes)
        return try (label.map { [$0] } ?? Array(0..<classes)).flatMap { label in
            try trained.outputs(decoder, count: n, seed: seed) { rows in
                let width = codes.count / decoder.batch
                for row in 0..<decoder.batch {
                    var code = Distribution.sampleCodes(latents, row: rows.lowerBound + row, philox: philox)
                    for j in 0..<classes { code[offset + j] = j == label ? 1 : 0 }
                    for j in 0..<width { codes[row * width + j] = Float(code[j]) }
                }
            }
        }
    }

    func picture(_ values: [Float], count: Int, shape: [Int], trained: TrainedRun) throws -> Image {
        let width = values.count / count
        if let (height, imageWidth) = Output.imageSize(shape) {
            let images = Output.rows(values, count: count)
            let columns = everyLabel ? n : Int(Double(n).squareRoot().rounded(.up))
            return Plots.grid(images, width: imageWidth, height: height, columns: columns)
        }
        guard width == 2 else {
            throw CommandFailure.usage("--png draws image data or 2-D points; this data has \(width) values per example")
        }
        let data = try options.examples(of: trained)
        let real = data.first(count)
        func points(_ values: [Float]) -> [SIMD2<Double>] {
            (0..<(values.count / 2)).map { SIMD2(Double(values[2 * $0]), Double(values[2 * $0 + 1])) }
        }
        return Plots.scatter([
            Plots.Scatter(title: "data", points: points(real)), Plots.Scatter(title: "samples", points: points(values)),
        ])
    }
}
