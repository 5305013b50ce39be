import Foundation
import LatentIR
import LatentKernels

/// Optimizer state (moments, step counts) of a training step's slots, and the fused update
/// of one parameter from its gradient: one pass over the parameter, its gradient and its
/// moments.
///
/// Each phase keeps its own state for the parameters it updates (a *slot* per phase and
/// parameter, `Step.slots`), as separate optimizers per training step do in the papers'
/// code: an AAE's encoder gets reconstruction gradients of hundreds of nats and adversarial
/// gradients of about one, and a shared Adam second moment scales the adversarial steps by
/// the reconstruction's. With `optimizer_state: shared` the phases share one slot per
/// parameter (named after the first phase that updates it), as one optimizer per network.
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
            let count = store.buffers[slot.parameter].count
            return UnsafeMutableBufferPointer(start: Kernels.alignedZeros(count), count: count)
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
        let fused = step(slot: slot, parameter: parameter)
        return Kernels.update(
            fused.rule, parameter, fused.first, fused.second, gradient, count: first[slot].count, pool: pool)
    }

    /// Slot `slot`'s next step for the parameter at `parameter`: the rule's constants (Adam's
    /// bias correction for this step folded in) and the moments, counting the step.
    func step(slot: Int, parameter: UnsafeMutablePointer<Float>) -> FusedUpdate {
        updates[slot] += 1
        let rule: OptimizerUpdate
        switch slots[slot].optimizer {
        case .sgd(let lr): rule = .sgd(rate: Float(lr))
        case .momentum(let lr, let momentum): rule = .momentum(rate: Float(lr), momentum: Float(momentum))
        case .adam(let lr, let beta1, let beta2, let eps):
            let t = Double(updates[slot])
            rule = .adam(
                rate: Float(lr * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))), beta1: Float(beta1),
                beta2: Float(beta2), eps: Float(eps * (1 - pow(beta2, t)).squareRoot()))
        case .rmsprop(let lr, let decay, let eps):
            rule = .rmsprop(rate: Float(lr), decay: Float(decay), eps: Float(eps))
        }
        return FusedUpdate(
            rule: rule, parameter: parameter, first: first[slot].baseAddress.unsafelyUnwrapped,
            second: second[slot].baseAddress.unsafelyUnwrapped)
    }
}
