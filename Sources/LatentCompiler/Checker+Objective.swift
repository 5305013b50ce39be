import LatentSpec

extension Checking {
    /// The rules of each objective (seed: "Objectives are lowered to phases").
    mutating func checkObjective() {
        guard !gaps.objective else { return }
        let location = spec.objective.location
        let isELBO = if case .elbo = spec.objective.value { true } else { false }
        if !isELBO, let latent = latents.first(where: \.isConditional) {
            diagnostics.error(
                "latent '\(latent.name.value)' has a prior conditioned on other latents, which only the elbo objective trains (the \(spec.objective.value.kind) objective draws latents from fixed priors)",
                at: latent.name.location, length: latent.name.value.count)
        }
        switch spec.objective.value {
        case .elbo(let options): checkELBO(options, at: location)
        case .gan(let options): checkGAN(options, at: location)
        case .aae(let options): checkAAE(options, at: location)
        case .avb(let options): checkAVB(options, at: location)
        }
    }

    /// Encoder objectives need p(x|z) as a distribution (not `x = G(z)`) and every latent inferred.
    mutating func requireLikelihoodAndEncoders(_ objective: String, at location: SourceLocation) {
        if let statement = spec.dataStatement, case .map = statement.value {
            diagnostics.error(
                "the \(objective) objective needs a likelihood p(x|z) such as 'x ~ bernoulli(logits=decoder(z))'; 'x = ...' is a GAN generator",
                at: statement.location)
        }
        for latent in latents where definitions[latent.name.value] == nil && !gaps.inference {
            diagnostics.error(
                "the \(objective) objective needs an encoder for latent '\(latent.name.value)' in 'inference', such as '\(latent.name.value) ~ gaussian(encoder(x))'",
                at: latent.name.location, length: latent.name.value.count)
        }
    }

    mutating func checkELBO(_ options: ELBOOptions, at location: SourceLocation) {
        requireLikelihoodAndEncoders("elbo", at: location)
        for latent in latents {
            let name = latent.name.value
            if let distribution = latent.distribution, !distribution.value.hasDensity {
                diagnostics.error(
                    "the ELBO's KL term needs the prior's density, but '\(distribution.value.kindName)' has samples only; use the aae objective",
                    at: distribution.location)
            }
            guard let definition = definitions[name], let kind = encoders[name] else { continue }
            switch kind {
            case .gaussian:
                if let distribution = latent.distribution, case .uniform = distribution.value {
                    diagnostics.error(
                        "q(\(name)|x) is Gaussian, whose draws fall outside the bounded support of the uniform prior, so KL(q ‖ p) is infinite; use the aae objective (or avb), which only needs samples of the prior",
                        at: distribution.location)
                    continue
                }
                let isNormalPrior: Bool
                if case .normal? = latent.distribution?.value { isNormalPrior = true } else { isNormalPrior = false }
                if options.kl.value == .analytic, !isNormalPrior {
                    let prior = latent.distribution.map { "a \($0.value.kindName) prior" } ?? "a prior conditioned on other latents"
                    diagnostics.error(
                        "an analytic KL needs a fixed normal prior, but '\(name)' has \(prior); use 'kl: sampled' or 'kl: auto'",
                        at: options.kl.location)
                }
            case .deterministic, .implicit:
                diagnostics.error(
                    "the ELBO needs q(\(name)|x) with a density, such as '\(name) ~ gaussian(encoder(x))'; deterministic and implicit encoders fit the aae and avb objectives",
                    at: definition.location)
            case .categorical:
                diagnostics.error(
                    "the ELBO does not sum over a categorical latent; use the aae objective for a label latent",
                    at: definition.location)
            }
        }
        if options.samples.value > 1, options.kl.value == .analytic {
            diagnostics.error(
                "'kl: analytic' applies to the ELBO (samples: 1); the IWAE bound with \(options.samples.value) samples uses importance weights",
                at: options.kl.location)
        }
        if latents.isEmpty, latentsComplete {
            diagnostics.error("the elbo objective needs at least one latent variable", at: location)
        }
    }

    mutating func checkGAN(_ options: GANOptions, at location: SourceLocation) {
        if let statement = spec.dataStatement, case .draw = statement.value {
            diagnostics.error(
                "a GAN's generator maps latents to data: write 'x = generator(z)'", at: statement.location)
        }
        if let first = spec.inference.first {
            diagnostics.error(
                "a GAN has no inference model; remove 'inference' (or use the aae or avb objective)", at: first.location
            )
        }
        resolveAdversary(
            options.discriminator, expectedInputs: [DataSpec.variableName], describe: "the discriminator is D(x)")
    }

    mutating func checkAAE(_ options: AAEOptions, at location: SourceLocation) {
        requireLikelihoodAndEncoders("aae", at: location)
        guard latentsComplete else { return }
        let categorical = latents.filter { encoders[$0.name.value] == .categorical }
        let continuous = latents.filter { encoders[$0.name.value] != .categorical }
        let codes = continuous.map(\.name.value)
        let readsLabel = options.discriminator.inputs.contains { $0.value == DataSpec.labelName }
        let code = codes.first ?? "z"
        resolveAdversary(
            options.discriminator, expectedInputs: codes.count == 1 ? codes + (readsLabel ? [DataSpec.labelName] : []) : nil,
            describe: "the discriminator sees the continuous code, and the data's label if it is guided by labels: D(\(code)) or D(\(code), label)")
        if codes.count != 1 {
            diagnostics.error(
                "the aae objective needs exactly one continuous latent for its discriminator, found \(codes.count)",
                at: location)
        }
        if readsLabel, let classes = labelClasses, let latent = continuous.first, let prior = latent.prior,
            !prior.splits(into: classes)
        {
            diagnostics.error(
                "the discriminator reads 'label', so each of the \(classes) classes draws its codes from its own part of the prior; \(prior) has no \(classes) parts (use mixture(\(classes)) or swiss_roll)",
                at: latent.distribution?.location ?? latent.name.location)
        }
        if let label = categorical.first {
            let name = label.name.value
            if categorical.count > 1 {
                diagnostics.error(
                    "the aae objective supports one categorical label latent, found \(categorical.count)", at: location)
            }
            if let labelDiscriminator = options.labelDiscriminator {
                resolveAdversary(
                    labelDiscriminator, expectedInputs: [name],
                    describe: "the label discriminator sees the label latent: D_y(\(name))")
            } else {
                diagnostics.error(
                    "latent '\(name)' is categorical, so the aae objective needs 'label_discriminator: D_y(\(name))' to match it to its prior",
                    at: location)
            }
        } else if let labelDiscriminator = options.labelDiscriminator {
            resolve(labelDiscriminator, role: .adversary, visible: [], expectedOutput: nil, purpose: "", strict: false)
            diagnostics.error(
                "'label_discriminator' needs a categorical latent inferred with 'categorical(logits=...)', and there is none",
                at: labelDiscriminator.location)
        }
        if options.supervised.value > 0 {
            if categorical.isEmpty {
                diagnostics.error(
                    "the supervised term trains a categorical label latent, and there is none; add one such as 'y ~ categorical(logits=classifier(x))'",
                    at: options.supervised.location)
            }
            if gaps.data {
                // The data section is broken and already reported.
            } else if !spec.data.source.value.hasLabels {
                diagnostics.error(
                    "the supervised term needs labelled data, and this data source has no labels",
                    at: options.supervised.location)
            } else if let label = categorical.first, let classes = classCount(of: spec.data.source.value),
                label.dimension.value != classes
            {
                diagnostics.error(
                    "the data has \(classes) classes, but the label latent '\(label.name.value)' has \(label.dimension.value)",
                    at: label.distribution?.location ?? label.name.location)
            }
        } else if spec.data.labelled.value != nil, !readsLabel {
            diagnostics.warning(
                "'labelled' has no effect: the aae objective uses labels only with 'supervised' above 0 or a discriminator that reads 'label'",
                at: spec.data.labelled.location)
        }
    }

    mutating func checkAVB(_ options: AVBOptions, at location: SourceLocation) {
        requireLikelihoodAndEncoders("avb", at: location)
        guard latentsComplete else { return }
        guard latents.count == 1, let latent = latents.first else {
            diagnostics.error(
                "the avb objective needs exactly one latent variable, found \(latents.count)", at: location)
            return
        }
        let name = latent.name.value
        if let definition = definitions[name] {
            switch encoders[name] {
            case .deterministic:
                diagnostics.error(
                    "AVB's encoder is f(x, eps): give it a noise input, as in '\(name) = encoder(x, eps)' (a point mass has no posterior to contrast)",
                    at: definition.location)
            case .categorical:
                diagnostics.error("AVB's latent is continuous; '\(name)' is categorical", at: definition.location)
            default:
                break
            }
        }
        resolveAdversary(
            options.adversary, expectedInputs: [DataSpec.variableName, name],
            describe: "the adversary is T(x, \(name)): it sees the data and the latent")
        if options.adaptiveContrast.value, let distribution = latent.distribution, !distribution.value.hasDensity {
            diagnostics.error(
                "adaptive contrast evaluates the prior's density, but '\(distribution.value.kindName)' has samples only",
                at: options.adaptiveContrast.location)
        }
    }

    /// An adversary is a network ending in one logit whose inputs are exactly `expectedInputs`
    /// (in any order; nil skips that check).
    mutating func resolveAdversary(_ call: NetworkCall, expectedInputs: [String]?, describe: String) {
        let visible = Set(
            declarations.compactMap { name, declaration -> String? in
                if case .network = declaration { return nil }
                return name
            })
        resolve(call, role: .adversary, visible: visible, expectedOutput: 1, purpose: "an adversary (one logit)")
        if let expectedInputs,
            Set(call.inputs.map(\.value)) != Set(expectedInputs) || call.inputs.count != expectedInputs.count
        {
            let written = call.inputs.map(\.value).joined(separator: ", ")
            diagnostics.error(
                "\(describe), not \(call.network.value)(\(written))", at: call.location,
                length: call.network.value.count)
        }
    }

    /// The number of classes of the data's labels, when it has labels and the number is known
    /// before reading them.
    var labelClasses: Int? { spec.data.source.value.hasLabels ? classCount(of: spec.data.source.value) : nil }

    /// The number of classes a labelled source has, when known before reading it.
    func classCount(of source: DataSource) -> Int? {
        switch source {
        case .fashionMNIST: 10
        case .synthetic(.fourPoints): 4
        case .synthetic(.ring(let modes, _, _, _)): modes
        case .synthetic(.grid(let side, _, _, _)): side * side
        default: nil
        }
    }
}
