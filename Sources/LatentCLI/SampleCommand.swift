import ArgumentParser
import Foundation
import Latent
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

    func draw(_ trained: TrainedRun) throws -> [Float] {
        try trained.sample(
            count: n, seed: UInt64(options.seed), label: everyLabel ? .every : label.map(TrainedRun.Label.fixed),
            threads: options.threads)
    }

    func picture(_ values: [Float], count: Int, shape: [Int], trained: TrainedRun) throws -> Image {
        let width = values.count / count
        if let (height, imageWidth) = Pictures.imageSize(shape) {
            let images = Pictures.rows(values, count: count)
            let columns = everyLabel ? n : Int(Double(n).squareRoot().rounded(.up))
            return Plots.grid(images, width: imageWidth, height: height, columns: columns)
        }
        guard width == 2 else {
            throw LatentError.usage("--png draws image data or 2-D points; this data has \(width) values per example")
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
