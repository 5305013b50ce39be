import ArgumentParser
import Foundation
import Latent
import LatentData
import LatentRuntime
import LatentSpec

/// `latent eval RUN --metric M`: the estimators the seed's papers report.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained model on a data set (default: the spec's test split).",
        discussion: """
            Metrics:
              elbo       the evidence lower bound per example, one draw z ~ q(z|x) each \
            (Gaussian encoders); for AVB, log p(x|z) - T(x, z) with T's estimate of log q - log p
              iwae:K     the importance-weighted bound log (1/K) sum_k p(x, z_k) / q(z_k | x), \
            K up to 100000, drawn in chunks so memory stays bounded (Gaussian encoders)
              ais        annealed importance sampling of log p(x) over z with HMC (any model with a \
            likelihood and continuous latents with prior densities: VAE, AAE, AVB); see --distributions, \
            --leapfrog, --chains, --step-size
              parzen     Parzen-window log-likelihood of 10,000 model samples, the bandwidth \
            chosen on 1,000 training examples (as the GAN and AAE papers report)
              recon      squared reconstruction error per example
              kl         KL(q(z|x) || p(z)) per example from one draw: log q(z|x) - log p(z) (Gaussian \
            encoders), or T(x, z) for AVB; the ELBO is E log p(x|z) minus this
              accuracy   classification error of a categorical latent's argmax (semi-supervised AAE)
              clusters   error when each cluster (categorical latent) is named by the majority label of its \
            training examples (clustering AAE)
              modes      modes covered and high-quality fraction of 2,500 samples on the ring and grid sets
            Each estimate is printed with its standard error over examples and the number of examples.

            Under `mpirun -np N`, iwae, ais and parzen split the examples between the processes \
            (each batch's draws keyed as in one process) and process 0 prints the same numbers \
            one process would.
            """)

    @OptionGroup var options: RunOptions

    @Option(help: "elbo, iwae:K, ais, parzen, recon, kl, accuracy, clusters or modes.", transform: Self.metric)
    var metric: Metric

    @Option(name: .short, parsing: .unconditional, help: "Evaluate on the first n examples (default: all).")
    var n: Int?

    @Option(help: "Output format: text, or json (one object on standard output).")
    var format: ReportFormat = .text

    @Option(help: "Also write each example's value to this .npy file (float64, [n]), for paired comparisons.")
    var npy: String?

    @Option(parsing: .unconditional, help: "ais: intermediate distributions (1 is importance sampling from the prior).")
    var distributions: Int = 500

    @Option(parsing: .unconditional, help: "ais: leapfrog steps per HMC transition.")
    var leapfrog: Int = 10

    @Option(parsing: .unconditional, help: "ais: chains per example.")
    var chains: Int = 16

    @Option(parsing: .unconditional, help: "ais: initial leapfrog step size (adapted towards 65% acceptance).")
    var stepSize: Double = 1

    /// `--metric`, with a bad one as ArgumentParser's usage error.
    static func metric(_ text: String) throws -> Metric {
        do { return try Metric(text) } catch { throw ValidationError("\(error)") }
    }

    func validate() throws {
        try OptionChecks.check(n, "-n", in: 1...Sizes.maximumExamples)
        try OptionChecks.check(distributions, "--distributions", in: 1...100_000)
        try OptionChecks.check(leapfrog, "--leapfrog", in: 1...1000)
        try OptionChecks.check(chains, "--chains", in: 1...10_000)
        try OptionChecks.checkPositive(stepSize, "--step-size")
        if stepSize > 10 { throw ValidationError("--step-size must be at most 10, found \(stepSize)") }
    }

    func run() throws {
        let trained = try options.load()
        let start = Date()
        let evaluation = Evaluation(
            run: trained, data: try options.examples(of: trained), count: n, seed: options.seed, threads: options.threads,
            sampler: AnnealedImportanceSampling(
                distributions: distributions, leapfrogSteps: leapfrog, stepSize: stepSize, chains: chains),
            communicator: Processes.world)
        let (name, estimate, details) = try evaluation.evaluate(metric)
        guard Processes.leads else { return }
        let seconds = Date().timeIntervalSince(start)
        if let npy {
            guard !estimate.values.isEmpty else {
                throw LatentError.usage("--npy: the \(name) metric is one fraction, with no value per example")
            }
            do { try NPY.write(estimate.values, shape: [estimate.values.count], to: npy) } catch {
                throw LatentError.data("\(error)")
            }
        }
        var line = String(
            format: "%@: %.4f ± %.4f (n = %d examples", name, estimate.mean, estimate.standardError, estimate.count)
        line +=
            details.isEmpty
            ? ")" : ", " + details.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ") + ")"
        guard format == .json else {
            print(line + String(format: "  [%.1f s]", seconds))
            return
        }
        var fields = [
            "\"metric\": \"\(name)\"", "\"value\": \(estimate.mean)",
            "\"standard_error\": \(estimate.standardError)",
            "\"examples\": \(estimate.count)", "\"seconds\": \(String(format: "%.3f", seconds))",
        ]
        fields += details.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
        print("{" + fields.joined(separator: ", ") + "}")
    }
}
