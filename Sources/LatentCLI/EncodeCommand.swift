import ArgumentParser
import Foundation
import Latent
import LatentData
import LatentIR
import LatentPictures
import LatentRuntime
import LatentSpec

/// `latent encode RUN`: latent codes of a data set.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Latent codes of a data set: every latent in spec order (Gaussian means, label probabilities).",
        discussion: """
            --png draws the first two code dimensions of each example coloured by its label, \
            beside as many draws from the prior: the seed's picture of how well a model's \
            codes match its prior (AAE against VAE).
            """)

    @OptionGroup var options: RunOptions

    @Option(name: .short, parsing: .unconditional, help: "How many examples (default: all).")
    var n: Int?

    @Flag(help: "Draw each code from q(z | x) instead of taking its mean (implicit encoders always draw).")
    var draw = false

    @Option(help: "Write the codes to this .npy file (float32, [n, code width]).")
    var npy: String?

    @Option(help: "Draw codes and prior samples into this PNG file.")
    var png: String?

    func validate() throws { try OptionChecks.check(n, "-n", in: 1...Sizes.maximumExamples) }

    func run() throws {
        let trained = try options.load()
        let data = try options.examples(of: trained)
        let count = min(n ?? data.count, data.count)
        let codes = try trained.encode(data, count: count, seed: options.seed, draw: draw, threads: options.threads)
        let width = codes.count / max(count, 1)
        if let npy { try Output.npy(codes, shape: [count, width], to: npy) }
        if let png {
            guard width >= 2 else {
                throw LatentError.usage("--png needs codes of at least 2 dimensions; these have \(width)")
            }
            let points = (0..<count).map { SIMD2(Double(codes[$0 * width]), Double(codes[$0 * width + 1])) }
            var panels = [
                Plots.Scatter(
                    title: "codes of the data", points: points, classes: data.labels.map { Array($0.prefix(count)) })
            ]
            // Draws from the prior, in code order, beside the codes (when the priors are fixed).
            if !trained.hasConditionalPriors {
                let philox = Philox(seed: UInt64(options.seed) ^ 0x9E10)
                let prior = (0..<count).map { row in
                    let code = Prior.sampleCodes(trained.latents, row: row, philox: philox)
                    return SIMD2(code[0], code[1])
                }
                panels.append(Plots.Scatter(title: "prior samples", points: prior))
            }
            try Output.png(Plots.scatter(panels), to: png)
        }
        if npy == nil && png == nil { Output.csv(codes, rows: count) }
    }
}
