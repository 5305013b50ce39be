import LatentData
import LatentSpec

extension Checking {
    /// Optimizers cover every trained network exactly once; schedule and sizes make sense.
    mutating func checkTraining() {
        guard !gaps.training else { return }
        let training = spec.training
        var assigned: [String: SourceLocation] = [:]
        var suggested: Set<String> = []
        let networkNames = spec.networks.map(\.name.value)
        for group in training.optimizers {
            for name in group.networks {
                if case .broken = declarations[name.value] { continue }
                guard case .network = declarations[name.value] else {
                    let detail =
                        declarations[name.value].map { "'\(name.value)' is \($0.kindName), not a network" }
                        ?? "unknown network '\(name.value)' in 'optimizers'"
                    let suggestion =
                        declarations[name.value] == nil ? Suggestion.closest(to: name.value, in: networkNames) : nil
                    diagnostics.error(
                        detail, at: name.location, length: max(1, name.value.count), suggestion: suggestion)
                    if let suggestion { suggested.insert(suggestion) }
                    continue
                }
                if let earlier = assigned[name.value] {
                    diagnostics.error(
                        "network '\(name.value)' already has an optimizer (at \(earlier)); each network has exactly one",
                        at: name.location, length: name.value.count)
                    continue
                }
                assigned[name.value] = name.location
                if usedNetworks[name.value] == nil, isComplete {
                    diagnostics.warning(
                        "network '\(name.value)' is never used, so its optimizer has nothing to train",
                        at: name.location, length: name.value.count)
                }
            }
        }
        for network in spec.networks
        where !gaps.optimizerNames && usedNetworks[network.name.value] != nil && assigned[network.name.value] == nil
            && !gaps.optimizedNetworks.contains(network.name.value) && !suggested.contains(network.name.value)
        {
            diagnostics.error(
                "network '\(network.name.value)' is trained but has no optimizer; add '\(network.name.value): adam(lr=0.001)' under 'training.optimizers'",
                at: network.name.location, length: network.name.value.count)
        }
        let isAdversarial: Bool
        if case .elbo = spec.objective.value { isAdversarial = false } else { isAdversarial = true }
        if !isAdversarial, training.discriminatorSteps.value != 1 {
            diagnostics.warning(
                "'discriminator_steps' has no effect on the elbo objective, which has no adversary",
                at: training.discriminatorSteps.location)
        }
        if case .synthetic(let set) = spec.data.source.value, training.batch.value > set.count {
            diagnostics.error(
                "the batch of \(training.batch.value) is larger than the data set (\(set.count) examples)",
                at: training.batch.location)
        }
        checkValueSizes()
        checkBatchNorms()
        checkShards()
        if let labelled = spec.data.labelled.value, let size = spec.data.source.value.knownCount, labelled > size {
            diagnostics.error(
                "'labelled' asks for \(labelled) labelled examples, but the data has \(size)",
                at: spec.data.labelled.location)
        }
    }

    /// The largest value a step computes (batch x samples x the widest layer, patches,
    /// input or latent) must be countable and at most `maximumValueFloats`, so planning never overflows.
    mutating func checkValueSizes() {
        var samples = 1
        switch spec.objective.value {
        case .elbo(let options): samples = options.samples.value
        case .avb(let options) where options.adaptiveContrast.value: samples = options.samples.value
        default: break
        }
        let layers: [Int] = networkShapes.values.map(\.largestValue)
        let variables: [Int] = (spec.latents + spec.noise).map(\.dimension.value)
        let widths = [spec.data.width] + layers + variables
        let widest = widths.max() ?? 1
        let floats = Sizes.product([spec.training.batch.value, samples, widest])
        if (floats ?? .max) > Self.maximumValueFloats {
            diagnostics.error(
                "a batch of \(spec.training.batch.value) x \(samples) samples x \(widest) values makes one value of the training step larger than \(Self.maximumValueFloats) floats; use a smaller batch or narrower layers",
                at: spec.training.batch.location)
        }
    }

    /// Every batch norm sees at least two values per channel in a training batch.
    mutating func checkBatchNorms() {
        guard
            let (network, layer, message) = CheckedModel.batchNormTooSmall(
                spec, networkShapes, batch: spec.training.batch.value),
            let declaration = spec.networks.first(where: { $0.name.value == network })
        else { return }
        diagnostics.error(message + "; use a larger batch", at: declaration.layers[layer].location)
    }

    /// Shards split every batch evenly and leave batch statistics alone.
    mutating func checkShards() {
        let training = spec.training
        for (batchNorm, message) in CheckedModel.shardingProblems(
            spec, batch: training.batch.value, shards: training.shards.value)
        {
            let layer = batchNorm.flatMap { place in
                spec.networks.first { $0.name.value == place.network }?.layers[place.layer].location
            }
            diagnostics.error(message, at: layer ?? training.shards.location)
        }
    }

    /// The most floats one value of a step may hold (256 GB): far beyond any machine's memory,
    /// far below where size arithmetic overflows.
    static let maximumValueFloats = 1 << 36

    /// Declared but never used: latents and noise are warnings (they cost nothing), networks too.
    mutating func reportUnused() {
        guard isComplete else { return }
        for variable in spec.latents + spec.noise where !usedVariables.contains(variable.name.value) {
            diagnostics.warning(
                "'\(variable.name.value)' is declared but never used", at: variable.name.location,
                length: variable.name.value.count)
        }
        for network in spec.networks where usedNetworks[network.name.value] == nil {
            diagnostics.warning(
                "network '\(network.name.value)' is declared but never used", at: network.name.location,
                length: network.name.value.count)
        }
    }
}
