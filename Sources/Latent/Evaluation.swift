import Foundation
import LatentIR
import LatentKernels
import LatentRuntime
import LatentSpec

/// The estimators the seed's papers report, on a trained run's examples (see `Metric`).
/// Under MPI (`communicator` with several processes) iwae, ais and parzen split the
/// examples between the processes, each batch's draws keyed as in one process, so every
/// process gets the numbers one process would.
public struct Evaluation {
    public var run: TrainedRun
    /// The examples, of which the first `count` are evaluated.
    public var data: Dataset
    public var count: Int
    public var seed: Int
    public var threads: Int
    /// Annealed importance sampling's settings (the ais metric).
    public var sampler: AnnealedImportanceSampling
    public var communicator: any Communicator

    public init(
        run: TrainedRun, data: Dataset, count: Int? = nil, seed: Int = 1, threads: Int = 1,
        sampler: AnnealedImportanceSampling = AnnealedImportanceSampling(
            distributions: 500, leapfrogSteps: 10, stepSize: 1, chains: 16),
        communicator: any Communicator = SingleProcess()
    ) {
        self.run = run
        self.data = data
        self.count = min(count ?? data.count, data.count)
        self.seed = seed
        self.threads = threads
        self.sampler = sampler
        self.communicator = communicator
    }

    /// The metric's name as reported, its estimate and the settings that made it.
    public func evaluate(_ metric: Metric) throws -> (name: String, estimate: Estimate, details: [String: String]) {
        switch metric {
        case .elbo: return ("elbo", try elbo(), [:])
        case .iwae(let k): return ("iwae:\(k)", try iwae(k: k), ["K": String(k)])
        case .ais:
            return (
                "ais", try ais(),
                [
                    "distributions": String(sampler.distributions), "leapfrog": String(sampler.leapfrogSteps),
                    "chains": String(sampler.chains),
                ]
            )
        case .parzen: return try parzen()
        case .recon: return ("recon", try reconstruction(), [:])
        case .kl: return ("kl", try kl(), [:])
        case .accuracy: return try accuracy(clusters: false)
        case .clusters: return try accuracy(clusters: true)
        case .modes: return try modes()
        }
    }

    func elbo() throws -> Estimate {
        let phases = run.inference.phases.map(\.name)
        guard let phase = ["log_weights", "adversary_elbo"].first(where: phases.contains) else {
            throw LatentError.usage(
                "the elbo metric needs Gaussian encoders, or an AVB adversary T(x, z) without adaptive contrast; "
                    + "\(run.path) has neither (try --metric ais)")
        }
        return try perExample(phase: phase, purpose: "the elbo metric")
    }

    /// Per example, one draw z ~ q(z|x): log q(z|x) - log p(z), or AVB's T(x, z).
    func kl() throws -> Estimate {
        try perExample(phase: "kl", purpose: "the kl metric")
    }

    /// The mean and standard error of a phase's one value per example.
    func perExample(phase: String, purpose: String) throws -> Estimate {
        let values = try run.outputs(
            of: phase, on: data, count: count, seed: seed, threads: threads, purpose: purpose)
        return Estimate(values.map(Double.init))
    }

    /// Per example: log-sum-exp of K log-weights drawn S at a time, minus log K.
    func iwae(k: Int) throws -> Estimate {
        let batch = min(count, 100)
        let samples = min(k, max(1, 10_000_000 / (batch * max(data.width, 1))))
        let model = try run.bind(
            "log_weights", batch: batch, samples: samples, threads: threads, purpose: "the iwae metric")
        // Batch b's draws use step counters b x runs ..< (b + 1) x runs, whichever process runs it.
        let runs = (k + samples - 1) / samples
        let bounds = communicator.distribute(parts: (count + batch - 1) / batch, limit: batch) { part in
            let rows = (part * batch)..<min(count, (part + 1) * batch)
            TrainedRun.fill(model, from: data, rows: rows)
            var sums = Array(repeating: StreamingLogSumExp(), count: batch)
            for chunk in 0..<runs {
                model.run(seed: UInt64(seed), step: UInt64(part * runs + chunk))
                for s in 0..<min(samples, k - chunk * samples) {
                    for row in 0..<batch { sums[row].add(Double(model.output[s * batch + row])) }
                }
            }
            return sums.prefix(rows.count).map { $0.value - Foundation.log(Double(k)) }
        }
        return Estimate(bounds)
    }

    /// Examples in batches of chains x examples <= 1000 rows; each row's x is its example's.
    func ais() throws -> Estimate {
        let chains = sampler.chains
        let perBatch = max(1, min(count, 1000 / chains))
        let rows = perBatch * chains
        let logJoint = try run.bind("log_joint", batch: rows, threads: threads, purpose: "the ais metric")
        let gradient = try run.bind("log_joint_gradient", batch: rows, threads: threads, purpose: "ais")
        let values = communicator.distribute(parts: (count + perBatch - 1) / perBatch, limit: perBatch) { part in
            let start = part * perBatch
            let examples = min(perBatch, count - start)
            let indices = (0..<rows).map { start + min($0 / chains, examples - 1) }
            data.fill(ArraySlice(indices), into: logJoint.input(InputName.data))
            data.fill(ArraySlice(indices), into: gradient.input(InputName.data))
            let estimates = sampler.logLikelihoods(
                logJoint: logJoint, gradient: gradient, latents: run.latents,
                seed: UInt64(seed) &+ UInt64(start))
            return Array(estimates.prefix(examples))
        }
        return Estimate(values)
    }

    func parzen() throws -> (String, Estimate, [String: String]) {
        let generator = try run.bind("sample", batch: 1000, threads: threads, purpose: "the parzen metric")
        let samples = try run.outputs(generator, count: 10_000, seed: UInt64(seed))
        let training = try run.examples(dataPath: nil, test: false)
        let validation = training.first(1000)
        let pool = WorkerPool.with(threads: threads)
        // Bandwidths from 0.01 to 1 on a log scale; the best on the validation examples wins.
        let candidates = (0..<9).map { pow(10, -2 + Double($0) / 4) }
        let scores = candidates.map { sigma in
            let values = Parzen.logDensities(validation, samples: samples, width: data.width, sigma: sigma, pool: pool)
            return values.reduce(0, +) / Double(values.count)
        }
        let best = candidates[scores.indices.max { scores[$0] < scores[$1] } ?? 0]
        let points = data.first(count)
        let chunk = 1000
        let values = communicator.distribute(parts: (count + chunk - 1) / chunk, limit: chunk) { part in
            let rows = (part * chunk)..<min(count, (part + 1) * chunk)
            return Parzen.logDensities(
                Array(points[(rows.lowerBound * data.width)..<(rows.upperBound * data.width)]), samples: samples,
                width: data.width, sigma: best, pool: pool)
        }
        return ("parzen", Estimate(values), ["sigma": String(format: "%.4f", best), "samples": "10000"])
    }

    func reconstruction() throws -> Estimate {
        let outputs = try run.outputs(
            of: "reconstruct", on: data, count: count, seed: seed, threads: threads, purpose: "recon")
        let originals = data.first(count)
        return Estimate(
            (0..<count).map { row in
                (0..<data.width).reduce(0.0) { sum, j in
                    let difference = Double(outputs[row * data.width + j] - originals[row * data.width + j])
                    return sum + difference * difference
                }
            })
    }

    /// The argmax of the categorical latent against the labels: directly (`accuracy`), or
    /// through each cluster's majority label among training examples (`clusters`).
    func accuracy(clusters: Bool) throws -> (String, Estimate, [String: String]) {
        let name = clusters ? "clusters" : "accuracy"
        let latents = run.latents
        guard let index = latents.firstIndex(where: { $0.distribution.isCategorical }) else {
            throw LatentError.usage("the \(name) metric needs a categorical latent; \(run.path) has none")
        }
        let offset = latents.prefix(index).reduce(0) { $0 + $1.width }
        let classes = latents[index].width
        func assignments(_ data: Dataset, count: Int) throws -> [Int] {
            let codes = try run.outputs(
                of: "encode", on: data, count: count, seed: seed, threads: threads, purpose: name)
            let width = codes.count / max(count, 1)
            return (0..<count).map { row in
                (0..<classes).max { codes[row * width + offset + $0] < codes[row * width + offset + $1] } ?? 0
            }
        }
        guard let labels = data.labels else {
            throw LatentError.usage("the \(name) metric needs labelled data")
        }
        var naming = Array(0..<classes)
        if clusters {
            let training = try run.examples(dataPath: nil, test: false)
            let trainingCount = min(training.count, 10_000)
            let trainingClusters = try assignments(training, count: trainingCount)
            var votes = Array(repeating: [Int: Int](), count: classes)
            for (row, cluster) in trainingClusters.enumerated() {
                votes[cluster][training.labels?[row] ?? 0, default: 0] += 1
            }
            naming = votes.map { $0.max { $0.value < $1.value }?.key ?? 0 }
        }
        let predicted = try assignments(data, count: count)
        let errors = (0..<count).map { naming[predicted[$0]] == labels[$0] ? 0.0 : 1.0 }
        return ("\(name) error", Estimate(errors), ["classes": String(classes)])
    }

    func modes() throws -> (String, Estimate, [String: String]) {
        guard case .synthetic(let set) = run.pipeline.model.spec.data.source.value, set.modes != nil else {
            throw LatentError.usage("the modes metric needs the ring or grid synthetic data")
        }
        let generator = try run.bind("sample", batch: 2500, threads: threads, purpose: "the modes metric")
        let samples = try run.outputs(generator, count: 2500, seed: UInt64(seed))
        guard let coverage = ModeCoverage(samples: samples, set: set) else {
            throw LatentError.usage("the modes metric needs the ring or grid synthetic data")
        }
        return (
            "modes: high-quality fraction", Estimate(fraction: coverage.highQualityFraction, of: 2500),
            ["covered": String(coverage.covered), "modes": String(coverage.modes)]
        )
    }
}

/// A metric of `Evaluation` (`latent eval --metric`).
public enum Metric: Equatable, Sendable {
    case elbo, iwae(k: Int), ais, parzen, recon, kl, accuracy, clusters, modes

    public static let names = "elbo, iwae:K, ais, parzen, recon, kl, accuracy, clusters or modes"

    /// Parses a metric as written: `elbo`, `iwae:K` (K from 1 to 100000), `ais`, ...
    public init(_ text: String) throws {
        let plain: [String: Metric] = [
            "elbo": .elbo, "ais": .ais, "parzen": .parzen, "recon": .recon, "kl": .kl, "accuracy": .accuracy,
            "clusters": .clusters, "modes": .modes,
        ]
        if let metric = plain[text] {
            self = metric
        } else if text.hasPrefix("iwae") {
            guard text.hasPrefix("iwae:"), let k = Int(text.dropFirst(5)), k >= 1, k <= 100_000 else {
                throw LatentError.usage("--metric iwae:K needs K between 1 and 100000 (e.g. iwae:5000), found '\(text)'")
            }
            self = .iwae(k: k)
        } else {
            throw LatentError.usage("unknown metric '\(text)'; --metric takes \(Self.names)")
        }
    }
}
