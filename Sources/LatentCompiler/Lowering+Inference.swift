import Foundation
import LatentIR
import LatentSpec

/// The phases of a trained model's inference program. Each returns its result as the
/// phase's output value (its "loss" slot); none has gradients.
///
/// - `sample`: latents from their priors (ancestrally: a conditional prior after the latents
///   it reads) -> the model's mean of x (a GAN's generator output).
/// - `decode`: input `codes` -> the model's mean of x.
/// - `encode`: x -> every latent's code, concatenated in spec order (Gaussian means,
///   categorical probabilities, deterministic or implicit encoder outputs).
/// - `encode_draw`: x -> a draw of every latent from q(z|x) (Gaussian and implicit encoders
///   sample; others as in `encode`).
/// - `reconstruct`: x -> its codes -> the model's mean of x.
/// - `log_weights`: x -> log p(x|z) + log p(z) - log q(z|x) for S draws z ~ q(z|x), `[S, B, 1]`
///   (Gaussian encoders: the ELBO and IWAE bounds follow from these).
/// - `adversary_elbo`: x -> log p(x|z) - T(x, z) for z = f(x, eps) (AVB, whose T estimates
///   log q(z|x) - log p(z)).
/// - `kl`: x -> an estimate of KL(q(z|x) || p(z)) from one draw: log q(z|x) - log p(z)
///   (Gaussian encoders with prior densities), or T(x, z) (AVB, whose T estimates it).
/// - `log_joint`: inputs `codes`, `beta` and `x` -> [log p(x|z), log p(z)] per row;
///   `log_joint_gradient`: the gradient of -mean(log p(z) + beta log p(x|z)) with respect
///   to `codes` (HMC in annealed importance sampling; a categorical latent's one-hot code is
///   held fixed there). Models whose latents all have densities and a likelihood. A latent
///   with a conditional prior enters `codes` as the standard-normal noise eps of its draw
///   h = mean + std * eps (a non-centred parametrisation: the same p(x), with N(0, I) over
///   eps), so annealing starts every chain from independent standard normals.
///
/// Every phase reads its inputs by name (`x`, `codes`, `beta`) and names its result.
extension LoweringContext {
    /// The width of the codes `encode` returns and `decode` reads: every latent in spec order.
    var codeWidth: Int { spec.latents.reduce(0) { $0 + $1.dimension.value } }

    func inferencePhases() -> [Phase] {
        var phases = [samplePhase(), decodePhase()]
        if !spec.inference.isEmpty {
            phases += [encodePhase(), encodeDrawPhase(), reconstructPhase()]
        }
        if let logWeights = logWeightsPhase() { phases.append(logWeights) }
        if let adversaryELBO = adversaryELBOPhase() { phases.append(adversaryELBO) }
        if let kl = klPhase() { phases.append(kl) }
        if let logJoint = logJointPhase(gradient: false), let gradient = logJointPhase(gradient: true) {
            phases += [logJoint, Autodiff.differentiate(gradient, parameters: parameters)]
        }
        return phases
    }

    func samplePhase() -> Phase {
        var b = PhaseBuilder(self)
        for latent in spec.latentsInPriorOrder { b.variables[latent.name.value] = b.samplePrior(latent) }
        return b.finish("sample", updates: [], loss: b.modelMean(), output: "mean")
    }

    func decodePhase() -> Phase {
        var b = PhaseBuilder(self, readsData: false)
        let codes = b.tape.emit(.input(InputName.codes), type: .rows(codeWidth))
        var offset = 0
        for latent in spec.latents {
            let width = latent.dimension.value
            b.variables[latent.name.value] =
                spec.latents.count == 1 ? codes : b.tape.emit(.slice(codes, offset: offset, width: width))
            offset += width
        }
        return b.finish("decode", updates: [], loss: b.modelMean(), output: "mean")
    }

    func encodePhase() -> Phase {
        var b = PhaseBuilder(self)
        b.encode(means: true)
        return b.finish("encode", updates: [], loss: codes(&b), output: InputName.codes)
    }

    func encodeDrawPhase() -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        return b.finish("encode_draw", updates: [], loss: codes(&b), output: InputName.codes)
    }

    func reconstructPhase() -> Phase {
        var b = PhaseBuilder(self)
        b.encode(means: true)
        return b.finish("reconstruct", updates: [], loss: b.modelMean(), output: "mean")
    }

    /// Every latent's value, concatenated in spec order.
    func codes(_ b: inout PhaseBuilder) -> ValueID {
        let values = spec.latents.map { b.variable($0.name.value) }
        return values.count == 1 ? values[0] : b.tape.emit(.concat(values))
    }

    /// Only when every latent has a Gaussian encoder and a prior with a density.
    func logWeightsPhase() -> Phase? {
        guard hasGaussianEncoders, priorsCoverGaussianDraws, case .draw = spec.dataStatement?.value else { return nil }
        var b = PhaseBuilder(self)
        b.encode(samples: true)
        return b.finish(
            "log_weights", updates: [], loss: logWeight(b.logLikelihood(), beta: 1, &b), output: "log_weights")
    }

    /// Only when every latent has a Gaussian encoder and a prior density, or for AVB
    /// without adaptive contrast.
    func klPhase() -> Phase? {
        var b = PhaseBuilder(self)
        if case .avb(let options) = spec.objective.value, !options.adaptiveContrast.value {
            b.encode()
            return b.finish("kl", updates: [], loss: b.call(options.adversary), output: "kl")
        }
        guard hasGaussianEncoders, priorsCoverGaussianDraws else { return nil }
        b.encode()
        let terms = spec.latents.map { sampledKL($0, &b) }
        let kl = terms.dropFirst().reduce(terms[0]) { b.tape.add($0, $1) }
        return b.finish("kl", updates: [], loss: kl, output: "kl")
    }

    /// Whether every latent's prior has a density (a swiss roll has only samples; a
    /// conditional prior is Gaussian).
    var priorsHaveDensities: Bool { spec.latents.allSatisfy { $0.distribution?.value.hasDensity ?? true } }

    /// Whether every prior has a density that is positive wherever a Gaussian draws: not a
    /// uniform prior, under which log q - log p is infinite outside its support.
    var priorsCoverGaussianDraws: Bool {
        priorsHaveDensities && !spec.latents.contains { if case .uniform? = $0.distribution?.value { true } else { false } }
    }

    /// Whether the inference model draws every latent from a Gaussian encoder.
    var hasGaussianEncoders: Bool {
        !latentStatements.isEmpty
            && latentStatements.allSatisfy { statement in
                if case .draw(let family) = statement.value, case .gaussian = family.value { true } else { false }
            }
    }

    /// Only for AVB without adaptive contrast.
    func adversaryELBOPhase() -> Phase? {
        guard case .avb(let options) = spec.objective.value, !options.adaptiveContrast.value else { return nil }
        var b = PhaseBuilder(self)
        b.encode()
        let t = b.call(options.adversary)
        return b.finish("adversary_elbo", updates: [], loss: b.tape.sub(b.logLikelihood(), t), output: "elbo")
    }
}

extension LoweringContext {
    /// The tempered log joint of inputs `codes` (every latent, in spec order), `beta` and `x`.
    func logJointPhase(gradient: Bool) -> Phase? {
        guard priorsHaveDensities, !spec.latents.isEmpty, case .draw = spec.dataStatement?.value else { return nil }
        var b = PhaseBuilder(self)
        let input = b.tape.emit(.input(InputName.codes), type: .rows(codeWidth))
        var codes: [String: ValueID] = [:]
        var offset = 0
        for latent in spec.latents {
            let width = latent.dimension.value
            codes[latent.name.value] = b.tape.emit(.slice(input, offset: offset, width: width))
            offset += width
        }
        var logPrior: ValueID?
        for latent in spec.latentsInPriorOrder {
            guard let code = codes[latent.name.value] else { continue }
            let term: ValueID
            if latent.isConditional {
                // The code is eps, standard normal; the latent is mean + std * eps.
                let (mean, logVariance) = b.conditionalPrior(latent.name.value)
                b.variables[latent.name.value] = b.reparametrised(mean: mean, logVariance: logVariance, noise: code)
                term = b.tape.emit(.logPrior(.normal(mean: [0], std: [1]), code))
            } else {
                b.variables[latent.name.value] = code
                term = b.logPrior(latent)
            }
            logPrior = logPrior.map { b.tape.add($0, term) } ?? term
        }
        let logLikelihood = b.logLikelihood()
        guard let logPrior else { return nil }
        guard gradient else {
            return b.finish(
                "log_joint", updates: [], loss: b.tape.emit(.concat([logLikelihood, logPrior])), output: "log_joint")
        }
        let beta = b.tape.emit(.input(InputName.beta), type: .rows(1))
        let tempered = b.tape.add(logPrior, b.tape.mul(beta, logLikelihood))
        var phase = b.finish(
            "log_joint_gradient", updates: [], loss: b.tape.meanAll(b.tape.unary(.neg, tempered)), output: "energy")
        phase.differentiatedInput = InputName.codes
        return phase
    }
}
