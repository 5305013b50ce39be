import LatentSpec

extension Checking {
    // MARK: Priors

    /// Each prior's parameters fit its latent's dimension.
    mutating func checkPriors() {
        for variable in spec.latents + spec.noise {
            let dimension = variable.dimension.value
            let name = variable.name.value
            guard let distribution = variable.distribution else { continue }  // given by the model
            let location = distribution.location
            func checkVector(_ vector: [Double], _ what: String) {
                if vector.count != 1 && vector.count != dimension {
                    diagnostics.error(
                        "the \(what) of '\(name)' has \(vector.count) values, but '\(name)' has \(dimension) dimensions (give 1 or \(dimension))",
                        at: location)
                }
            }
            switch distribution.value {
            case .normal(let mean, let std):
                checkVector(mean, "mean")
                checkVector(std, "std")
            case .mixture(let components):
                for component in components {
                    checkVector(component.mean, "mixture mean")
                    checkVector(component.std, "mixture std")
                }
            case .ringMixture, .swissRoll:
                if dimension != 2 {
                    let kind = distribution.value.hasDensity ? "ring mixture" : "swiss_roll"
                    diagnostics.error(
                        "a \(kind) prior is 2-D, but '\(name)' has \(dimension) dimensions", at: location)
                }
            case .categorical, .uniform:
                break
            }
        }
    }

    // MARK: Inference

    /// The inference model defines latents from the data, noise and earlier latents.
    mutating func checkInference() {
        var visible: Set<String> = [DataSpec.variableName]
        visible.formUnion(spec.noise.map(\.name.value))
        for statement in spec.inference {
            let target = statement.target
            if case .broken = declarations[target.value] {
                resolveUnchecked(statement.value, role: .inference, visible: visible)
                continue
            }
            if declarations[target.value] == nil, case .map(let call) = statement.value {
                checkFeature(target, call, visible: visible)
                visible.insert(target.value)
                continue
            }
            guard case .latent(let latent) = declarations[target.value] else {
                let latents = spec.latents.map(\.name.value)
                let detail =
                    declarations[target.value].map { "'\(target.value)' is \($0.kindName)" }
                    ?? "unknown latent '\(target.value)'"
                diagnostics.error(
                    "\(detail); the inference model draws latents (declared under 'latents') and computes features ('h = trunk(x)')",
                    at: target.location,
                    length: target.value.count,
                    suggestion: declarations[target.value] == nil
                        ? Suggestion.closest(to: target.value, in: latents) : nil)
                resolveUnchecked(statement.value, role: .inference, visible: visible)
                continue
            }
            if let earlier = definitions[target.value] {
                diagnostics.error(
                    "latent '\(target.value)' is already defined at \(earlier.location); each latent has one encoder",
                    at: target.location, length: target.value.count)
                continue
            }
            definitions[target.value] = statement
            usedVariables.insert(target.value)
            let dimension = latent.dimension.value
            let isCategoricalPrior = latent.distribution?.value.isCategorical ?? false
            let purpose = "the encoder of '\(target.value)'"
            switch statement.value {
            case .map(let call):
                resolve(call, role: .inference, visible: visible, expectedOutput: dimension, purpose: purpose)
                let noise = call.inputs.map(\.value).filter { name in spec.noise.contains { $0.name.value == name } }
                encoders[target.value] = noise.isEmpty ? .deterministic : .implicit(noise: noise)
                if isCategoricalPrior {
                    diagnostics.error(
                        "'\(target.value)' has a categorical prior, so its encoder is 'categorical(logits=...)'",
                        at: statement.location)
                }
            case .draw(let family):
                switch family.value {
                case .gaussian(let call, let std):
                    let needed = std == nil ? 2 * dimension : dimension
                    let what = std == nil ? "\(purpose) (mean and log-variance of \(dimension) dimensions)" : purpose
                    resolve(call, role: .inference, visible: visible, expectedOutput: needed, purpose: what)
                    encoders[target.value] = .gaussian
                    if isCategoricalPrior {
                        diagnostics.error(
                            "'\(target.value)' has a categorical prior, so its encoder is 'categorical(logits=...)', not gaussian",
                            at: family.location)
                    }
                case .categorical(let call):
                    resolve(call, role: .inference, visible: visible, expectedOutput: dimension, purpose: purpose)
                    encoders[target.value] = .categorical
                    if !isCategoricalPrior {
                        diagnostics.error(
                            "a categorical encoder needs a categorical prior, but '\(target.value)' has a \(latent.distribution?.value.kindName ?? "conditional Gaussian") prior",
                            at: family.location)
                    }
                case .bernoulli:
                    diagnostics.error(
                        "latents are inferred with gaussian(...), categorical(logits=...) or a network map, not bernoulli",
                        at: family.location)
                }
            }
            visible.insert(target.value)
        }
        // Every feature once, in spec order, where it was defined.
        for statement in spec.inference {
            let name = statement.target.value
            guard case .feature(_, let location) = declarations[name], location == statement.target.location,
                !usedVariables.contains(name)
            else { continue }
            diagnostics.error(
                "'\(name)' is not a latent, and no later encoder reads it; a feature of the inference model is an input of a later statement",
                at: location, length: name.count,
                suggestion: Suggestion.closest(to: name, in: spec.latents.map(\.name.value)))
        }
    }

    /// `h = trunk(x)` with `h` undeclared: a deterministic feature that later encoders share
    /// (the trunk of an encoder with several heads). It reads data, latents and features, not noise.
    mutating func checkFeature(_ target: Located<String>, _ call: NetworkCall, visible: Set<String>) {
        let purpose = "the feature '\(target.value)'"
        let shape = resolve(call, role: .inference, visible: visible, expectedOutput: nil, purpose: purpose)
        declarations[target.value] = .feature(shape: shape, at: target.location)
        features[target.value] = call
        if let noise = call.inputs.first(where: { name in spec.noise.contains { $0.name.value == name.value } }) {
            diagnostics.error(
                "the feature '\(target.value)' reads the noise '\(noise.value)'; features are deterministic (give the noise to the encoder that uses the feature)",
                at: noise.location, length: noise.value.count)
        }
    }

    // MARK: Model

    /// The model has exactly one statement about the data, from latents, and one statement
    /// for each latent declared without a prior: its conditional prior
    /// (`h1 ~ gaussian(prior_net(h2))`), which reads latents with fixed priors and latents
    /// whose priors the model states earlier.
    mutating func checkModel() {
        let latents = Set(self.latents.map(\.name.value))
        var drawn = Set(self.latents.filter { !$0.isConditional }.map(\.name.value))
        var described: Statement?
        var priors: [String: Statement] = [:]
        for statement in spec.model {
            let target = statement.target
            if case .latent(let latent) = declarations[target.value] {
                checkConditionalPrior(statement, of: latent, visible: drawn, given: &priors)
                drawn.insert(target.value)
                continue
            }
            guard target.value == DataSpec.variableName else {
                let detail =
                    declarations[target.value].map { "'\(target.value)' is \($0.kindName)" }
                    ?? "'\(target.value)' is not the data"
                diagnostics.error(
                    "\(detail); the model describes the data 'x' given the latents, and the priors of latents declared without 'prior'",
                    at: target.location, length: target.value.count)
                resolveUnchecked(statement.value, role: .model, visible: latents)
                continue
            }
            if let earlier = described {
                diagnostics.error(
                    "the data 'x' is already described at \(earlier.location); the model has one statement for it",
                    at: target.location)
                continue
            }
            described = statement
            checkLikelihood(statement, visible: latents)
        }
        if described == nil, !gaps.model {
            diagnostics.error(
                "the model needs a statement for the data, such as 'x ~ bernoulli(logits=decoder(z))' or 'x = generator(z)'",
                at: spec.version.location)
        }
        for latent in self.latents where latent.isConditional && priors[latent.name.value] == nil && !gaps.model {
            let name = latent.name.value
            diagnostics.error(
                "latent '\(name)' has no prior: give it one under 'latents' ('prior: normal(0, 1)'), or condition it on other latents in the model ('\(name) ~ gaussian(prior_net(...))')",
                at: latent.name.location, length: name.count)
        }
    }

    /// The statement about the data: a likelihood or a generator of the data's width.
    mutating func checkLikelihood(_ statement: Statement, visible latents: Set<String>) {
        let width = gaps.data ? nil : spec.data.width
        let image = gaps.data ? nil : spec.data.shape.value
        let purpose = "the model of 'x' (\(spec.data.shape.value.map(String.init).joined(separator: "x")) values)"
        switch statement.value {
        case .map(let call):
            resolve(call, role: .model, visible: latents, expectedOutput: width, purpose: purpose, image: image)
        case .draw(let family):
            switch family.value {
            case .gaussian(let call, let std):
                let needed = std == nil ? width.map { 2 * $0 } : width
                let what = std == nil ? "the mean and log-variance of 'x' (\(width ?? 0) values each)" : purpose
                resolve(
                    call, role: .model, visible: latents, expectedOutput: needed, purpose: what,
                    image: std == nil ? nil : image)
            case .bernoulli(let call):
                resolve(call, role: .model, visible: latents, expectedOutput: width, purpose: purpose, image: image)
                checkBinaryData(at: family.location)
            case .categorical(let call):
                resolve(call, role: .model, visible: latents, expectedOutput: width, purpose: purpose)
            }
        }
    }

    /// `h1 ~ gaussian(prior_net(h2))`: the prior of a latent declared without one, a Gaussian
    /// whose network reads the latents in `visible`.
    mutating func checkConditionalPrior(
        _ statement: Statement, of latent: VariableDeclaration, visible: Set<String>, given: inout [String: Statement]
    ) {
        let name = latent.name.value
        if let distribution = latent.distribution {
            diagnostics.error(
                "latent '\(name)' has the prior \(distribution.value.canonicalText) (under 'latents'); the model gives a prior only to a latent declared without one",
                at: statement.target.location, length: name.count)
            resolveUnchecked(statement.value, role: .model, visible: visible)
            return
        }
        if let earlier = given[name] {
            diagnostics.error(
                "the prior of '\(name)' is already given at \(earlier.location); a latent has one prior",
                at: statement.target.location, length: name.count)
            return
        }
        given[name] = statement
        guard case .draw(let family) = statement.value, case .gaussian(let call, let std) = family.value else {
            diagnostics.error(
                "a conditional prior is a Gaussian whose network reads other latents, such as '\(name) ~ gaussian(prior_net(h2))'",
                at: statement.location)
            resolveUnchecked(statement.value, role: .model, visible: visible)
            return
        }
        let dimension = latent.dimension.value
        let purpose =
            std == nil
            ? "the prior of '\(name)' (mean and log-variance of \(dimension) dimensions)" : "the prior of '\(name)'"
        resolve(
            call, role: .model, visible: visible, expectedOutput: std == nil ? 2 * dimension : dimension,
            purpose: purpose)
    }

    /// Resolves the call in a statement whose target is wrong, so mistakes in the call are
    /// reported too; no output width is expected.
    mutating func resolveUnchecked(_ value: StatementValue, role: NetworkRole, visible: Set<String>) {
        switch value {
        case .map(let call):
            resolve(call, role: role, visible: visible, expectedOutput: nil, purpose: "this statement", strict: false)
        case .draw(let family):
            resolve(
                family.value.call, role: role, visible: visible, expectedOutput: nil, purpose: "this statement",
                strict: false)
        }
    }

    /// A Bernoulli likelihood needs data in [0, 1].
    mutating func checkBinaryData(at location: SourceLocation) {
        guard !gaps.data else { return }
        let data = spec.data
        if case .synthetic(let set) = data.source.value, !set.isBinary {
            diagnostics.error(
                "a bernoulli likelihood needs data in [0, 1], but this synthetic set is real-valued; use gaussian(...)",
                at: location)
        } else if let range = data.range?.value, data.binarize.value == .none, range.low < 0 || range.high > 1 {
            diagnostics.error(
                "a bernoulli likelihood needs data in [0, 1], but 'range' is [\(Expression.format(range.low)), \(Expression.format(range.high))]",
                at: location)
        }
    }
}
