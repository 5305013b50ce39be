import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// Optimizer state (moments, step counts) and the fused update of one parameter from its
/// gradient: one pass over the parameter, its gradient and its moments.
///
/// Each phase keeps its own state for the parameters it updates (a *slot* per phase and
/// parameter), as separate optimizers per training step do in the papers' code: an AAE's
/// encoder gets reconstruction gradients of hundreds of nats and adversarial gradients of
/// about one, and a shared Adam second moment would shrink the adversarial steps to nothing.
public final class OptimizerState {
    /// One phase's state for one parameter.
    public struct Slot: Sendable {
        public let phase: String
        public let parameter: Int
        /// The optimizer of the parameter's network.
        let optimizer: Optimizer
        /// The name of the slot's moments in a checkpoint: `optimizer.PHASE.m.NAME` (and `.v.`).
        func momentName(_ moment: String, _ program: Program) -> String {
            "optimizer.\(phase).\(moment).\(program.parameters[parameter].name)"
        }
    }

    let store: ParameterStore
    public let slots: [Slot]
    /// The slot of each phase's n-th gradient (`slotOf[phase][n]`, phases indexed like
    /// `program.phases`); nil for a network without an optimizer.
    let slotOf: [[Int?]]
    var first: [UnsafeMutableBufferPointer<Float>]
    var second: [UnsafeMutableBufferPointer<Float>]
    /// How many updates each slot has had (Adam's bias correction).
    public internal(set) var updates: [Int]

    public init(program: Program, store: ParameterStore) {
        self.store = store
        var slots: [Slot] = []
        slotOf = program.phases.map { phase in
            phase.gradients.map { gradient in
                guard let optimizer = program.optimizers[program.parameters[gradient.parameter].network] else {
                    return nil
                }
                slots.append(Slot(phase: phase.name, parameter: gradient.parameter, optimizer: optimizer))
                return slots.count - 1
            }
        }
        self.slots = slots
        func zeros(_ slot: Slot) -> UnsafeMutableBufferPointer<Float> {
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

    /// Applies the `n`-th gradient of phase `phase` (an index into `program.phases`) to its
    /// parameter with that phase's state; returns whether the gradient was finite.
    public func update(phase: Int, gradient n: Int, _ gradient: UnsafeBufferPointer<Float>, pool: WorkerPool) -> Bool {
        guard let slot = slotOf[phase][n] else { return true }
        let parameter = slots[slot].parameter
        guard let p = store.buffers[parameter].baseAddress, let m = first[slot].baseAddress,
            let v = second[slot].baseAddress, let g = gradient.baseAddress
        else { return true }
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
        return Kernels.update(update, p, m, v, g, count: store.buffers[parameter].count, pool: pool)
    }
}
