/// Prints a spec with every default made explicit, in a fixed order and canonical form
/// (`latent compile --emit resolved`). The output is itself a valid spec.
public enum ResolvedSpecPrinter {
    public static func print(_ spec: Spec) -> String {
        var lines = ["latent: \(spec.version.value)", "data:"]
        let data = spec.data
        lines.append("  source: \(data.source.value.canonicalText)")
        lines.append("  shape: [\(data.shape.value.map(String.init).joined(separator: ", "))]")
        if let range = data.range?.value {
            lines.append("  range: [\(Expression.format(range.low)), \(Expression.format(range.high))]")
            lines.append("  binarize: \(data.binarize.value.rawValue)")
        }
        if data.source.value.hasLabels {
            lines.append("  labelled: \(data.labelled.value.map(String.init) ?? "all")")
        }
        func variables(_ section: String, _ declarations: [VariableDeclaration], key: String) {
            guard !declarations.isEmpty else { return }
            lines.append("\(section):")
            for variable in declarations {
                lines.append("  \(variable.name.value):")
                lines.append("    dim: \(variable.dimension.value)")
                if let distribution = variable.distribution {
                    lines.append("    \(key): \(distribution.value.canonicalText)")
                }
            }
        }
        variables("latents", spec.latents, key: "prior")
        variables("noise", spec.noise, key: "distribution")
        lines.append("networks:")
        for network in spec.networks {
            lines.append("  \(network.name.value):")
            lines.append("    layers:")
            lines += network.layers.map { "      - \($0.value.canonicalText)" }
            lines.append("    init: \(network.initializer.value.rawValue)")
        }
        lines.append("model:")
        lines += spec.model.map { "  - \($0.canonicalText)" }
        if !spec.inference.isEmpty {
            lines.append("inference:")
            lines += spec.inference.map { "  - \($0.canonicalText)" }
        }
        lines.append("objective:")
        lines.append("  kind: \(spec.objective.value.kind)")
        switch spec.objective.value {
        case .elbo(let options):
            lines.append("  beta: \(Expression.format(options.beta.value))")
            lines.append("  samples: \(options.samples.value)")
            lines.append("  kl: \(options.kl.value.rawValue)")
        case .gan(let options):
            lines.append("  discriminator: \(options.discriminator.canonicalText)")
            lines.append("  generator_loss: \(options.generatorLoss.value.rawValue)")
        case .aae(let options):
            lines.append("  discriminator: \(options.discriminator.canonicalText)")
            if let label = options.labelDiscriminator { lines.append("  label_discriminator: \(label.canonicalText)") }
            lines.append("  supervised: \(Expression.format(options.supervised.value))")
            if options.adversarialWeight.value != 1 {  // printed only when set, so earlier runs' texts still match
                lines.append("  adversarial_weight: \(Expression.format(options.adversarialWeight.value))")
            }
        case .avb(let options):
            lines.append("  adversary: \(options.adversary.canonicalText)")
            lines.append("  adaptive_contrast: \(options.adaptiveContrast.value)")
            lines.append("  samples: \(options.samples.value)")
        }
        let training = spec.training
        lines.append("training:")
        lines.append("  batch: \(training.batch.value)")
        switch training.length.value {
        case .epochs(let epochs): lines.append("  epochs: \(epochs)")
        case .steps(let steps): lines.append("  steps: \(steps)")
        }
        lines.append("  seed: \(training.seed.value)")
        lines.append("  discriminator_steps: \(training.discriminatorSteps.value)")
        // Printed only when set, so runs from before shards existed resume unchanged.
        if training.shards.value != 1 { lines.append("  shards: \(training.shards.value)") }
        if training.optimizerState.value != .perPhase {
            lines.append("  optimizer_state: \(training.optimizerState.value.rawValue)")
        }
        lines.append("  optimizers:")
        for group in training.optimizers {
            lines.append(
                "    \(group.networks.map(\.value).joined(separator: ", ")): \(group.optimizer.value.canonicalText)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
