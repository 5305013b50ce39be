import Foundation
import LatentIR
import LatentSpec

/// Lowers a checked model to a `Program`: its parameters and, for its objective, the
/// phases the seed states, each a forward tape whose loss is minimised for its networks.
/// Objectives differ only here; the IR and the executor know nothing of models.
public enum Lowering {
    public static func lower(_ model: CheckedModel, name: String) -> Program {
        let spec = model.spec
        let context = LoweringContext(model: model)
        var optimizers: [String: UpdateRule] = [:]
        for group in spec.training.optimizers {
            for network in group.networks where context.layers[network.value] != nil {
                optimizers[network.value] = UpdateRule(group.optimizer.value)
            }
        }
        let (phases, schedule) = context.phases()
        var samples = 1
        if case .elbo(let options) = spec.objective.value { samples = options.samples.value }
        if case .avb(let options) = spec.objective.value, options.adaptiveContrast.value {
            samples = options.samples.value
        }
        var program = Program(
            name: name, parameters: context.parameters, phases: phases, optimizers: optimizers, schedule: schedule,
            samples: samples)
        program.sharesOptimizerState = spec.training.optimizerState.value == .shared
        return program
    }

    /// The inference program of a model: forward phases over the trained parameters (the
    /// same parameters, in the same order, as `lower`), with no gradients or optimizers.
    /// Which phases a model has depends on its parts (see `LoweringContext.inferencePhases`);
    /// the number of draws `log_weights` takes per example is chosen when a phase is planned.
    public static func inference(_ model: CheckedModel, name: String) -> Program {
        let context = LoweringContext(model: model, training: false)
        return Program(
            name: name, parameters: context.parameters, phases: context.inferencePhases(), optimizers: [:],
            schedule: [])
    }
}

/// What every phase of a model shares: the spec, the parameters and where each layer's are.
struct LoweringContext {
    let model: CheckedModel
    let parameters: [Parameter]
    let layers: [String: [LoweredLayer]]
    /// Whether phases train (batch norms use and record the batch's statistics) or infer
    /// (they use the running statistics).
    let training: Bool

    /// Every network's layers as parameters (weight, bias) in spec order, with initialisers.
    init(model: CheckedModel, training: Bool = true) {
        self.model = model
        self.training = training
        var parameters: [Parameter] = []
        var layers: [String: [LoweredLayer]] = [:]
        for network in model.spec.networks {
            guard let shape = model.networkShapes[network.name.value] else { continue }
            layers[network.name.value] = LoweredLayer.lower(network, shape: shape, parameters: &parameters)
        }
        self.parameters = parameters
        self.layers = layers
    }

    var spec: Spec { model.spec }
    /// The network call of each feature of the inference model.
    var featureCalls: [String: NetworkCall] { model.features }

    /// The inference statements that define latents (not features), in spec order.
    var latentStatements: [Statement] {
        spec.inference.filter { featureCalls[$0.target.value] == nil }
    }

    /// The networks a call runs: its own and those of the features it reads, transitively
    /// (what a loss on its output trains).
    func networks(reaching call: NetworkCall) -> [String] {
        var names: [String] = []
        for input in call.inputs {
            guard let feature = featureCalls[input.value] else { continue }
            for name in networks(reaching: feature) where !names.contains(name) { names.append(name) }
        }
        if !names.contains(call.network.value) { names.append(call.network.value) }
        return names
    }

    /// Networks used in the inference model, and in the model (decoder or generator).
    var inferenceNetworks: [String] { networks(in: spec.inference) }
    var modelNetworks: [String] { networks(in: spec.model) }

    func networks(in statements: [Statement]) -> [String] {
        var names: [String] = []
        for statement in statements {
            let name = statement.value.call.network.value
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    func phases() -> ([Phase], [PhaseRepeat]) {
        let k = spec.training.discriminatorSteps.value
        switch spec.objective.value {
        case .elbo(let options):
            return ([elboPhase(options)], [PhaseRepeat(phase: "elbo", count: 1)])
        case .gan(let options):
            return (
                [ganDiscriminatorPhase(options), ganGeneratorPhase(options)],
                [PhaseRepeat(phase: "discriminator", count: k), PhaseRepeat(phase: "generator", count: 1)]
            )
        case .aae(let options):
            var phases = [aaeReconstructionPhase(), aaeDiscriminatorPhase(options), aaeGeneratorPhase(options)]
            var schedule = [
                PhaseRepeat(phase: "reconstruction", count: 1),
                PhaseRepeat(phase: "regularization_discriminator", count: k),
                PhaseRepeat(phase: "regularization_generator", count: 1),
            ]
            if options.supervised.value > 0, let phase = aaeSupervisedPhase(options) {
                phases.append(phase)
                schedule.append(PhaseRepeat(phase: "supervised", count: 1))
            }
            return (phases, schedule)
        case .avb(let options):
            let contrast = options.adaptiveContrast.value
            return (
                contrast
                    ? [avbContrastPrimalPhase(options), avbContrastAdversaryPhase(options)]
                    : [avbPrimalPhase(options), avbAdversaryPhase(options)],
                [PhaseRepeat(phase: "theta_phi", count: 1), PhaseRepeat(phase: "psi", count: k)]
            )
        }
    }
}
