import Foundation
import LatentIR
import LatentSpec

/// The phases of each objective (seed: "Objectives are lowered to phases").
extension LoweringContext {
    // MARK: ELBO

    /// One phase: minimise -E_q log p(x|z) + beta KL(q(z|x) || p(z)), with the KL analytic
    /// when both are Gaussian and Monte-Carlo otherwise; with k samples, the IWAE bound
    /// -log (1/k) sum_i p(x, z_i) / q(z_i | x).
    func elboPhase(_ options: ELBOOptions) -> Phase {
        var b = PhaseBuilder(self)
        let beta = options.beta.value
        let samples = options.samples.value
        b.encode(samples: samples > 1)
        let logLikelihood = b.logLikelihood()
        let perExample: ValueID
        if samples > 1 {
            let logWeight = self.logWeight(logLikelihood, beta: beta, &b)
            let bound = b.tape.sub(
                b.tape.emit(.logSumExpFirst(logWeight)), b.tape.constant(Foundation.log(Double(samples))))
            perExample = b.tape.unary(.neg, bound)
        } else {
            var kl: ValueID?
            for latent in spec.latents {
                let term = klTerm(latent, options, &b)
                kl = kl.map { b.tape.add($0, term) } ?? term
            }
            let negative = b.tape.unary(.neg, logLikelihood)
            perExample = kl.map { b.tape.add(negative, beta == 1 ? $0 : b.tape.scale($0, by: beta)) } ?? negative
        }
        let loss = b.tape.meanAll(perExample)
        return b.finish("elbo", updates: inferenceNetworks + modelNetworks, loss: loss)
    }

    /// log p(x | z) + beta (log p(z) - log q(z | x)) per draw, for Gaussian encoders.
    func logWeight(_ logLikelihood: ValueID, beta: Double, _ b: inout PhaseBuilder) -> ValueID {
        var logWeight = logLikelihood
        for latent in spec.latents {
            let difference = b.tape.sub(b.logPrior(latent), b.logPosterior(latent.name.value))
            logWeight = b.tape.add(logWeight, beta == 1 ? difference : b.tape.scale(difference, by: beta))
        }
        return logWeight
    }

    /// log q(z|x) - log p(z) at the latent's sampled value: a one-draw estimate of the KL
    /// (for a conditional prior, at the sampled values of the latents it reads).
    func sampledKL(_ latent: VariableDeclaration, _ b: inout PhaseBuilder) -> ValueID {
        let logPrior = b.logPrior(latent)
        return b.tape.sub(b.logPosterior(latent.name.value), logPrior)
    }

    /// KL(q(z|x) || p(z)) per example: analytic for a fixed normal prior (unless `kl: sampled`),
    /// else log q(z|x) - log p(z) at the sampled z.
    func klTerm(_ latent: VariableDeclaration, _ options: ELBOOptions, _ b: inout PhaseBuilder) -> ValueID {
        let name = latent.name.value
        guard case .normal(let priorMean, let priorStd)? = latent.distribution?.value, options.kl.value != .sampled,
            let (mean, logVariance, _) = b.gaussians[name]
        else { return sampledKL(latent, &b) }
        // KL(N(mu, s^2) || N(m, t^2)) = log t - log s + (s^2 + (mu - m)^2) / (2 t^2) - 1/2, per dimension.
        let isStandard = priorMean == [0] && priorStd == [1]
        let difference = isStandard ? mean : b.tape.sub(mean, constant(priorMean, &b))
        var spread = b.tape.scale(
            b.tape.add(b.tape.unary(.exp, logVariance), b.tape.unary(.square, difference)), by: 0.5)
        if !isStandard { spread = b.tape.div(spread, constant(priorStd.map { $0 * $0 }, &b)) }
        let offset = isStandard ? b.tape.constant(-0.5) : constant(priorStd.map { Foundation.log($0) - 0.5 }, &b)
        let terms = b.tape.add(b.tape.sub(spread, b.tape.scale(logVariance, by: 0.5)), offset)
        return b.tape.sumLast(terms)
    }

    func constant(_ values: [Double], _ b: inout PhaseBuilder) -> ValueID {
        values.count == 1 ? b.tape.constant(values[0]) : b.tape.emit(.vector(values))
    }

    // MARK: GAN

    /// Draws every latent from its prior and applies the generator: x = G(z).
    func generate(_ b: inout PhaseBuilder) -> ValueID {
        for latent in spec.latents { b.variables[latent.name.value] = b.samplePrior(latent) }
        guard let statement = spec.dataStatement, case .map(let call) = statement.value else {
            preconditionFailure("the checker requires 'x = G(z)' for a GAN")
        }
        return b.call(call)
    }

    /// D: minimise -[log D(x) + log(1 - D(G(z)))] = softplus(-D(x)) + softplus(D(G(z))).
    func ganDiscriminatorPhase(_ options: GANOptions) -> Phase {
        var b = PhaseBuilder(self)
        let fake = generate(&b)
        let discriminator = options.discriminator.network.value
        let real = b.apply(discriminator, to: [b.variable(DataSpec.variableName)])
        let generated = b.apply(discriminator, to: [fake])
        let loss = b.tape.add(b.lossOfReal(real), b.lossOfFake(generated))
        return b.finish("discriminator", updates: [discriminator], loss: loss)
    }

    /// G: minimax minimises log(1 - D(G(z))) = -softplus(D(G(z))); non-saturating minimises
    /// -log D(G(z)) = softplus(-D(G(z))).
    func ganGeneratorPhase(_ options: GANOptions) -> Phase {
        var b = PhaseBuilder(self)
        let fake = generate(&b)
        let logits = b.apply(options.discriminator.network.value, to: [fake])
        let loss: ValueID
        switch options.generatorLoss.value {
        case .nonSaturating: loss = b.lossOfReal(logits)
        case .minimax: loss = b.tape.unary(.neg, b.lossOfFake(logits))
        }
        return b.finish("generator", updates: modelNetworks, loss: loss)
    }

    // MARK: AAE

    /// Encoder and decoder minimise the reconstruction error -log p(x | z).
    func aaeReconstructionPhase() -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        let loss = b.tape.meanAll(b.tape.unary(.neg, b.logLikelihood()))
        return b.finish("reconstruction", updates: inferenceNetworks + modelNetworks, loss: loss)
    }

    /// The adversaries learn to tell prior samples (real) from codes of the data (fake). A
    /// discriminator that reads the data's label sees it beside both, and the prior samples
    /// come from the label's part of the prior (AAE section 2.3).
    func aaeDiscriminatorPhase(_ options: AAEOptions) -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        var loss: ValueID?
        var updates: [String] = []
        for call in [options.discriminator, options.labelDiscriminator].compactMap({ $0 }) {
            let name = call.inputs[0].value
            guard let latent = spec.latents.first(where: { $0.name.value == name }) else { continue }
            let label = call.inputs.contains { $0.value == DataSpec.labelName } ? b.variable(DataSpec.labelName) : nil
            let draw = b.samplePrior(latent, byLabel: label)
            var inputs: [ValueID] = []
            for input in call.inputs { inputs.append(input.value == name ? draw : b.variable(input.value)) }
            let real = b.apply(call.network.value, to: inputs)
            let fake = b.call(call)
            let term = b.tape.add(b.lossOfReal(real), b.lossOfFake(fake))
            loss = loss.map { b.tape.add($0, term) } ?? term
            updates.append(call.network.value)
        }
        let total = loss ?? b.tape.constant(0)
        return b.finish("regularization_discriminator", updates: updates, loss: total)
    }

    /// The encoder learns to make its codes pass for prior samples (its loss times the
    /// adversarial weight).
    func aaeGeneratorPhase(_ options: AAEOptions) -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        var loss: ValueID?
        for call in [options.discriminator, options.labelDiscriminator].compactMap({ $0 }) {
            let term = b.lossOfReal(b.call(call))
            loss = loss.map { b.tape.add($0, term) } ?? term
        }
        var total = loss ?? b.tape.constant(0)
        if options.adversarialWeight.value != 1 { total = b.tape.scale(total, by: options.adversarialWeight.value) }
        return b.finish("regularization_generator", updates: inferenceNetworks, loss: total)
    }

    /// On labelled batches, the label encoder minimises weight x cross-entropy to the label.
    func aaeSupervisedPhase(_ options: AAEOptions) -> Phase? {
        guard let statement = spec.inference.first(where: { model.encoders[$0.target.value] == .categorical }),
            case .draw(let family) = statement.value
        else { return nil }
        var b = PhaseBuilder(self, reads: .labelled)
        let labels = b.tape.emit(.input(InputName.labels), type: .rows(b.latentDimension(statement.target.value)))
        let logits = b.call(family.value.call)
        let crossEntropy = b.tape.unary(.neg, b.tape.sumLast(b.tape.mul(labels, b.tape.emit(.logSoftmax(logits)))))
        let loss = b.tape.scale(b.tape.meanAll(crossEntropy), by: options.supervised.value)
        return b.finish("supervised", updates: networks(reaching: family.value.call), loss: loss)
    }

    // MARK: AVB

    /// theta, phi: minimise -log p(x | z) + T(x, z) with z = f(x, eps) (AVB, Algorithm 1).
    func avbPrimalPhase(_ options: AVBOptions) -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        let t = b.call(options.adversary)
        let loss = b.tape.meanAll(b.tape.add(b.tape.unary(.neg, b.logLikelihood()), t))
        return b.finish("theta_phi", updates: inferenceNetworks + modelNetworks, loss: loss)
    }

    /// psi: T learns to tell (x, z ~ q(z|x)) (label 1) from (x, z ~ p(z)) (label 0).
    func avbAdversaryPhase(_ options: AVBOptions) -> Phase {
        var b = PhaseBuilder(self)
        b.encode()
        let posterior = b.call(options.adversary)
        for latent in spec.latents { b.variables[latent.name.value] = b.samplePrior(latent) }
        let prior = b.call(options.adversary)
        let loss = b.tape.add(b.lossOfReal(posterior), b.lossOfFake(prior))
        var phase = b.finish("psi", updates: [options.adversary.network.value], loss: loss)
        phase.readsStepStart = true
        return phase
    }

    // MARK: AVB with adaptive contrast

    /// Draws S samples z = f(x, eps) per example (`[S, B, d]`) and standardises them by their
    /// per-example mean and standard deviation: z_hat = (z - mu(x)) / sigma(x), log sigma(x).
    func contrastSamples(_ b: inout PhaseBuilder) -> (z: ValueID, standardized: ValueID, logStd: ValueID) {
        b.noiseRows = [.samples, .batch]
        b.encode(samples: true)
        guard let name = spec.latents.first?.name.value else { preconditionFailure("the checker requires one latent") }
        let z = b.variable(name)
        let centered = b.tape.sub(z, b.tape.emit(.meanFirst(z)))
        let variance = b.tape.emit(.meanFirst(b.tape.unary(.square, centered)))
        let logStd = b.tape.scale(b.tape.unary(.log, b.tape.add(variance, b.tape.constant(1e-6))), by: 0.5)
        let standardized = b.tape.mul(centered, b.tape.unary(.exp, b.tape.unary(.neg, logStd)))
        return (z, standardized, logStd)
    }

    /// theta, phi with adaptive contrast (AVB, section 3.3): the contrast is r(z|x), a Gaussian
    /// with q's moments, so the loss is -[log p(x|z) + log p(z) - log r(z|x)] + T(x, z_hat),
    /// where T estimates KL(q(z|x) || r(z|x)) from standardised samples.
    func avbContrastPrimalPhase(_ options: AVBOptions) -> Phase {
        var b = PhaseBuilder(self)
        let (_, standardized, logStd) = contrastSamples(&b)
        guard let latent = spec.latents.first else { preconditionFailure("the checker requires one latent") }
        let logLikelihood = b.logLikelihood()
        let logPrior = b.logPrior(latent)
        let width = latent.dimension.value
        let logContrast = b.tape.add(
            b.tape.sumLast(b.tape.sub(b.tape.scale(b.tape.unary(.square, standardized), by: -0.5), logStd)),
            b.tape.constant(-0.5 * Double(width) * Foundation.log(2 * Double.pi)))
        b.variables[latent.name.value] = standardized
        let t = b.call(options.adversary)
        let negativeBound = b.tape.sub(logContrast, b.tape.add(logLikelihood, logPrior))
        let loss = b.tape.meanAll(b.tape.add(negativeBound, t))
        return b.finish("theta_phi", updates: inferenceNetworks + modelNetworks, loss: loss)
    }

    /// psi with adaptive contrast: T tells standardised posterior samples (label 1) from
    /// standard normal ones (label 0).
    func avbContrastAdversaryPhase(_ options: AVBOptions) -> Phase {
        var b = PhaseBuilder(self)
        let (_, standardized, _) = contrastSamples(&b)
        guard let latent = spec.latents.first else { preconditionFailure("the checker requires one latent") }
        b.variables[latent.name.value] = standardized
        let posterior = b.call(options.adversary)
        b.variables[latent.name.value] = b.tape.randomNormal(b.tape.type(of: standardized))
        let contrast = b.call(options.adversary)
        let loss = b.tape.add(b.lossOfReal(posterior), b.lossOfFake(contrast))
        var phase = b.finish("psi", updates: [options.adversary.network.value], loss: loss)
        phase.readsStepStart = true
        return phase
    }
}
