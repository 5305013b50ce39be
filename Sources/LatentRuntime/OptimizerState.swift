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

    public init(program: Program, store: ParameterStore) {
        self.program = program
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

    /// Applies the optimizer of the parameter's network to it.
    public func update(_ parameter: Int, gradient: UnsafeBufferPointer<Float>) {
        guard let optimizer = program.optimizers[program.parameters[parameter].network] else { return }
        updates[parameter] += 1
        let p = store.buffers[parameter]
        let m = first[parameter]
        let v = second[parameter]
        let count = p.count
        switch optimizer {
        case .sgd(let lr):
            let rate = Float(lr)
            for i in 0..<count { p[i] -= rate * gradient[i] }
        case .momentum(let lr, let momentum):
            let rate = Float(lr)
            let mu = Float(momentum)
            for i in 0..<count {
                m[i] = mu * m[i] + gradient[i]
                p[i] -= rate * m[i]
            }
        case .adam(let lr, let beta1, let beta2, let eps):
            let t = Double(updates[parameter])
            let rate = Float(lr * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
            let epsilon = Float(eps * (1 - pow(beta2, t)).squareRoot())
            guard let pBase = p.baseAddress, let mBase = m.baseAddress, let vBase = v.baseAddress,
                let gBase = gradient.baseAddress
            else { return }
            Kernels.adam(
                pBase, mBase, vBase, gBase, count: count, rate: rate, beta1: Float(beta1), beta2: Float(beta2),
                eps: epsilon)
        case .rmsprop(let lr, let decay, let eps):
            let rate = Float(lr)
            let rho = Float(decay)
            let epsilon = Float(eps)
            for i in 0..<count {
                let g = gradient[i]
                v[i] = rho * v[i] + (1 - rho) * g * g
                p[i] -= rate * g / (v[i].squareRoot() + epsilon)
            }
        }
    }
}
