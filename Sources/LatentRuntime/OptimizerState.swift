import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// Optimizer state (moments, step counts) for every parameter, and the fused update of
/// one parameter from its gradient: one pass over the parameter, its gradient and its
/// moments.
public final class OptimizerState {
    let program: Program
    let store: ParameterStore
    var first: [UnsafeMutableBufferPointer<Float>]
    var second: [UnsafeMutableBufferPointer<Float>]
    /// How many updates each parameter has had (Adam's bias correction).
    public internal(set) var updates: [Int]

    /// Each parameter's optimizer (its network's), looked up once.
    let optimizerOf: [Optimizer?]

    public init(program: Program, store: ParameterStore) {
        self.program = program
        optimizerOf = program.parameters.map { program.optimizers[$0.network] }
        self.store = store
        first = store.buffers.map { buffer in
            let moments = UnsafeMutableBufferPointer<Float>.allocate(capacity: buffer.count)
            moments.initialize(repeating: 0)
            return moments
        }
        second = store.buffers.map { buffer in
            let moments = UnsafeMutableBufferPointer<Float>.allocate(capacity: buffer.count)
            moments.initialize(repeating: 0)
            return moments
        }
        updates = Array(repeating: 0, count: store.buffers.count)
    }

    deinit {
        for buffer in first + second { buffer.deallocate() }
    }

    /// Applies the optimizer of the parameter's network to it; returns whether the gradient
    /// was finite.
    public func update(_ parameter: Int, gradient: UnsafeBufferPointer<Float>, pool: WorkerPool) -> Bool {
        guard let optimizer = optimizerOf[parameter],
            let p = store.buffers[parameter].baseAddress, let m = first[parameter].baseAddress,
            let v = second[parameter].baseAddress, let g = gradient.baseAddress
        else { return true }
        updates[parameter] += 1
        let update: OptimizerUpdate
        switch optimizer {
        case .sgd(let lr): update = .sgd(rate: Float(lr))
        case .momentum(let lr, let momentum): update = .momentum(rate: Float(lr), momentum: Float(momentum))
        case .adam(let lr, let beta1, let beta2, let eps):
            let t = Double(updates[parameter])
            update = .adam(
                rate: Float(lr * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))), beta1: Float(beta1),
                beta2: Float(beta2), eps: Float(eps * (1 - pow(beta2, t)).squareRoot()))
        case .rmsprop(let lr, let decay, let eps):
            update = .rmsprop(rate: Float(lr), decay: Float(decay), eps: Float(eps))
        }
        return Kernels.update(update, p, m, v, g, count: store.buffers[parameter].count, pool: pool)
    }
}
