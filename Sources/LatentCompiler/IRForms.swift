import LatentIR
import LatentSpec

/// The IR's own forms of a spec's distributions and optimizers, made while lowering (as
/// activations become unary functions), so the IR never reads the spec's types.
extension Prior {
    init(_ distribution: Distribution) {
        switch distribution {
        case .normal(let mean, let std): self = .normal(mean: mean, std: std)
        case .mixture(let components):
            self = .mixture(components.map { Component(weight: $0.weight, mean: $0.mean, std: $0.std) })
        case .ringMixture(let components, let radius, let std):
            self = .ringMixture(components: components, radius: radius, std: std)
        case .categorical(let probabilities): self = .categorical(probabilities: probabilities)
        case .uniform(let low, let high): self = .uniform(low: low, high: high)
        case .swissRoll(let noise): self = .swissRoll(noise: noise)
        }
    }
}

extension UpdateRule {
    init(_ optimizer: Optimizer) {
        switch optimizer {
        case .sgd(let lr): self = .sgd(lr: lr)
        case .momentum(let lr, let momentum): self = .momentum(lr: lr, momentum: momentum)
        case .adam(let lr, let beta1, let beta2, let eps): self = .adam(lr: lr, beta1: beta1, beta2: beta2, eps: eps)
        case .rmsprop(let lr, let decay, let eps): self = .rmsprop(lr: lr, decay: decay, eps: eps)
        }
    }
}

extension VariableDeclaration {
    /// The variable's distribution in the IR's form; nil for a latent whose prior is a model
    /// statement conditioned on other latents.
    public var prior: Prior? { distribution.map { Prior($0.value) } }
}
