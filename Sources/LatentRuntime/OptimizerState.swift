import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// Optimizer state (moments, step counts) of a training step's slots, and the fused update
/// of one parameter from its gradient: one pass over the parameter, its gradient and its
/// moments.
///
/// Each phase keeps its own state for the parameters it updates (a *slot* per phase and
/// parameter, `Step.slots`), as separate optimizers per training step do in the papers'
/// code: an AAE's encoder gets reconstruction gradients of hundreds of nats and adversarial
/// gradients of about one, and a shared Adam second moment would shrink the adversarial
/// steps to nothing.
public final class OptimizerState {
    let store: ParameterStore
    public let slots: [OptimizerSlot]
    var first: [UnsafeMutableBufferPointer<Float>]
    var second: [UnsafeMutableBufferPointer<Float>]
    /// How many updates each slot has had (Adam's bias correction).
    public internal(set) var updates: [Int]

    public init(slots: [OptimizerSlot], store: ParameterStore) {
        self.store = store
        self.slots = slots
        func zeros(_ slot: OptimizerSlot) -> UnsafeMutableBufferPointer<Float> {
            let moments = UnsafeMutableBufferPointer<Float>.allocate(capacity: store.buffers[slot.parameter].count)
            moments.initialize(repeating: 0)
            return moments
        }
        first = slots.map(zeros)
        second = slots.map(zeros)
        updates = Array(repeating: 0, count: slots.count)
    }

    deinit {
        for buffer in first + second { buffer.deallocate() }
    }

    /// The name of a slot's moments in a checkpoint: `optimizer.PHASE.m.NAME` (and `.v.`).
    func momentName(_ moment: String, slot: Int) -> String {
        "optimizer.\(slots[slot].phase).\(moment).\(store.parameters[slots[slot].parameter].name)"
    }

    /// Applies `gradient` to the parameter at `parameter` with slot `slot`'s state; returns
    /// whether the gradient was finite.
    func update(
        slot: Int, gradient: UnsafeMutablePointer<Float>, parameter: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) -> Bool {
        guard let m = first[slot].baseAddress, let v = second[slot].baseAddress else { return true }
        updates[slot] += 1
        let update: OptimizerUpdate
        switch slots[slot].optimizer {
        case .sgd(let lr): update = .sgd(rate: Float(lr))
        case .momentum(let lr, let momentum): update = .momentum(rate: Float(lr), momentum: Float(momentum))
        case .adam(let lr, let beta1, let beta2, let eps):
            let t = Double(updates[slot])
            update = .adam(
                rate: Float(lr * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))), beta1: Float(beta1),
                beta2: Float(beta2), eps: Float(eps * (1 - pow(beta2, t)).squareRoot()))
        case .rmsprop(let lr, let decay, let eps):
            update = .rmsprop(rate: Float(lr), decay: Float(decay), eps: Float(eps))
        }
        return Kernels.update(update, parameter, m, v, gradient, count: first[slot].count, pool: pool)
    }
}
