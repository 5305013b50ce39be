import Foundation
import LatentIR

/// Annealed importance sampling (Neal 2001) of log p(x) for a decoder model, as the AVB
/// paper evaluates: chains start at the prior, pass through distributions
/// p(z) p(x|z)^beta with beta rising from 0 to 1 on a sigmoid schedule, each moved by one
/// Hamiltonian Monte-Carlo transition, and accumulate importance weights
/// (beta_t - beta_{t-1}) log p(x | z). log p(x) is the log-mean-exp of the weights over chains.
/// A categorical latent is summed out exactly: one annealing run per class with its one-hot
/// code held fixed, log p(x) = log sum_k p(y = k) p(x | y = k).
public struct AnnealedImportanceSampling {
    /// Intermediate distributions (1: importance sampling from the prior).
    public var distributions: Int
    public var leapfrogSteps: Int
    /// The initial leapfrog step (1 suits a standard-normal prior), adapted towards 65%
    /// acceptance by 5% per transition, which follows the posterior as it narrows.
    public var stepSize: Double
    public var chains: Int

    public init(distributions: Int, leapfrogSteps: Int, stepSize: Double, chains: Int) {
        self.distributions = distributions
        self.leapfrogSteps = leapfrogSteps
        self.stepSize = stepSize
        self.chains = chains
    }

    /// beta_t for t in 0...T: sigmoid-spaced (Wu et al. 2017), 0 at the start and 1 at the end.
    public func schedule() -> [Double] {
        let t = distributions
        let raw = (0...t).map { 1 / (1 + Foundation.exp(-4 * (2 * Double($0) / Double(max(t, 1)) - 1))) }
        return raw.map { ($0 - raw[0]) / (raw[t] - raw[0]) }
    }

    /// log p(x) of the examples whose rows (chains per example, example after example) are
    /// already in the `x` inputs of `logJoint` and `gradient`. `logJoint` returns
    /// [log p(x|z), log p(z)] per row of its input `codes`; `gradient` the gradient of
    /// -mean(log p(z) + beta log p(x|z)) with respect to `codes`. `latents` say how to draw
    /// z from the prior.
    public func logLikelihoods(
        logJoint: Executable<Phase>, gradient: Executable<Phase>, latents: [(distribution: Prior, width: Int)], seed: UInt64
    ) -> [Double] {
        guard let index = latents.firstIndex(where: { $0.distribution.isCategorical }),
            case .categorical(let probabilities) = latents[index].distribution
        else { return anneal(logJoint: logJoint, gradient: gradient, latents: latents, seed: seed, fixed: nil) }
        let offset = latents.prefix(index).reduce(0) { $0 + $1.width }
        var totals = Array(repeating: StreamingLogSumExp(), count: logJoint.batch / chains)
        for (k, probability) in probabilities.enumerated() {
            let part = anneal(
                logJoint: logJoint, gradient: gradient, latents: latents, seed: seed &+ UInt64(k),
                fixed: (offset, probabilities.count, k))
            for (example, value) in part.enumerated() { totals[example].add(Foundation.log(probability) + value) }
        }
        return totals.map(\.value)
    }

    /// One annealing run; `fixed` holds a categorical latent's code (its offset, width and
    /// class) at one-hot, so the estimate is of p(x | y = class).
    func anneal(
        logJoint: Executable<Phase>, gradient: Executable<Phase>, latents: [(distribution: Prior, width: Int)], seed: UInt64,
        fixed: (offset: Int, width: Int, value: Int)?
    ) -> [Double] {
        let rows = logJoint.batch
        let width = latents.reduce(0) { $0 + $1.width }
        let philox = Philox(seed: seed ^ 0xA15)
        var z = [Double](repeating: 0, count: rows * width)
        for row in 0..<rows {
            let draw = Prior.sampleCodes(latents, row: row, philox: philox)
            for j in 0..<width { z[row * width + j] = draw[j] }
            if let fixed {
                for j in 0..<fixed.width { z[row * width + fixed.offset + j] = j == fixed.value ? 1 : 0 }
            }
        }
        // Whether dimension j of a row moves (a fixed categorical code does not).
        let moves = (0..<width).map { j in fixed.map { j < $0.offset || j >= $0.offset + $0.width } ?? true }
        // Runs a phase at (z, beta); its result is in its output.
        let codes = (logJoint.input(InputName.codes), gradient.input(InputName.codes))
        let betaInput = gradient.input(InputName.beta)
        func evaluate(_ executable: Executable<Phase>, _ z: [Double], beta: Double) {
            let input = executable === logJoint ? codes.0 : codes.1
            for index in 0..<min(input.count, z.count) { input[index] = Float(z[index]) }
            for row in 0..<betaInput.count where executable === gradient { betaInput[row] = Float(beta) }
            executable.run(seed: seed, step: 0)
        }
        func kineticEnergy(_ momentum: [Double], row: Int) -> Double {
            (0..<width).reduce(0.0) { $0 + 0.5 * pow(momentum[row * width + $1], 2) }
        }
        func densities(_ z: [Double]) -> (likelihood: [Double], prior: [Double]) {
            evaluate(logJoint, z, beta: 1)
            let output = logJoint.output
            return ((0..<rows).map { Double(output[2 * $0]) }, (0..<rows).map { Double(output[2 * $0 + 1]) })
        }
        // The gradient of U = -(log p(z) + beta log p(x|z)), per row.
        func potentialGradient(_ z: [Double], beta: Double) -> [Double] {
            evaluate(gradient, z, beta: beta)
            guard let values = gradient.inputGradient else { return Array(repeating: 0, count: rows * width) }
            return (0..<(rows * width)).map {
                moves[$0 % width] ? Double(values[$0]) * Double(rows) : 0
            }
        }

        let betas = schedule()
        var weights = [Double](repeating: 0, count: rows)
        var (likelihood, prior) = densities(z)
        var step = stepSize
        for t in 1..<betas.count {
            let beta = betas[t]
            for row in 0..<rows { weights[row] += (beta - betas[t - 1]) * likelihood[row] }
            if t == betas.count - 1 { break }  // the last weight is in; no need to move on
            // One HMC transition leaving p(z) p(x|z)^beta invariant.
            var momentum = (0..<(rows * width)).map {
                moves[$0 % width] ? philox.normal(step: UInt64(t), stream: 1, index: $0) : 0
            }
            let kinetic = (0..<rows).map { kineticEnergy(momentum, row: $0) }
            var proposal = z
            var force = potentialGradient(proposal, beta: beta)
            // Each row's step is jittered (0.5 to 1.5 times the adapted one), so no trajectory
            // length keeps returning to where it started on a near-Gaussian target.
            let steps = (0..<rows).map { step * (0.5 + philox.uniform(step: UInt64(t), stream: 3, index: $0)) }
            for i in momentum.indices { momentum[i] -= 0.5 * steps[i / width] * force[i] }
            for leap in 1...leapfrogSteps {
                for i in proposal.indices { proposal[i] += steps[i / width] * momentum[i] }
                force = potentialGradient(proposal, beta: beta)
                let scale = leap == leapfrogSteps ? 0.5 : 1
                for i in momentum.indices { momentum[i] -= scale * steps[i / width] * force[i] }
            }
            let (proposedLikelihood, proposedPrior) = densities(proposal)
            var accepted = 0
            for row in 0..<rows {
                let current = -(prior[row] + beta * likelihood[row]) + kinetic[row]
                let proposed =
                    -(proposedPrior[row] + beta * proposedLikelihood[row]) + kineticEnergy(momentum, row: row)
                let u = philox.uniform(step: UInt64(t), stream: 2, index: row)
                guard proposed.isFinite, Foundation.log(max(u, 1e-300)) < current - proposed else { continue }
                accepted += 1
                for j in 0..<width { z[row * width + j] = proposal[row * width + j] }
                likelihood[row] = proposedLikelihood[row]
                prior[row] = proposedPrior[row]
            }
            step *= Double(accepted) / Double(rows) > 0.65 ? 1.05 : 0.95
        }
        // log-mean-exp over each example's chains.
        return (0..<(rows / chains)).map { example in
            var total = StreamingLogSumExp()
            for chain in 0..<chains { total.add(weights[example * chains + chain]) }
            return total.value - Foundation.log(Double(chains))
        }
    }
}
