import Foundation
import LatentIR

/// Finite-difference checks of a phase's gradients with the reference interpreter.
public enum GradientCheck {
    /// The largest relative disagreement between the analytic directional derivative
    /// <grad L, v> and the central difference (L(p + h v) - L(p - h v)) / 2h, over a few
    /// random directions v in the space of the phase's updated parameters.
    public static func worstError(
        _ phase: Phase, interpreter: ReferenceInterpreter, directions: Int = 3, seed: UInt64 = 7, step: Double = 1e-5
    ) -> (error: Double, analytic: Double, numeric: Double) {
        var random = TestRandom(seed)
        let outputs = interpreter.outputs(of: phase)
        var worst = (error: 0.0, analytic: 0.0, numeric: 0.0)
        for _ in 0..<directions {
            // A random unit direction: small enough per coordinate that no ReLU kink is crossed.
            var directionByParameter: [Int: [Double]] = [:]
            for gradient in phase.gradients {
                directionByParameter[gradient.parameter] = (0..<interpreter.parameters[gradient.parameter].count).map {
                    _ in
                    random.normal()
                }
            }
            let norm = directionByParameter.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }.squareRoot()
            var analytic = 0.0
            for (index, gradient) in phase.gradients.enumerated() {
                let v = directionByParameter[gradient.parameter, default: []].map { $0 / max(norm, 1e-300) }
                directionByParameter[gradient.parameter] = v
                analytic += zip(outputs[index + 1].values, v).reduce(0) { $0 + $1.0 * $1.1 }
            }
            func loss(_ scale: Double) -> Double {
                var moved = interpreter
                for (parameter, v) in directionByParameter {
                    for i in v.indices { moved.parameters[parameter].values[i] += scale * v[i] }
                }
                return moved.outputs(of: phase)[0].values[0]
            }
            let numeric = (loss(step) - loss(-step)) / (2 * step)
            let error = abs(numeric - analytic) / max(1, abs(analytic))
            if error >= worst.error { worst = (error, analytic, numeric) }
        }
        return worst
    }
}

/// A small deterministic generator for tests.
public struct TestRandom {
    var state: UInt64
    public init(_ seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    public mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }

    public mutating func tensor(_ shape: [Int], scale: Double = 1, offset: Double = 0) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in offset + scale * normal() })
    }
}

extension TestRandom {
    /// Initial values for parameters, drawn as their initializers say.
    public mutating func initialValues(_ parameters: [Parameter]) -> [Tensor] {
        parameters.map { parameter in
            let count = parameter.shape.reduce(1, *)
            let values: [Double]
            switch parameter.initializer {
            case .zeros: values = (0..<count).map { _ in 0.1 * normal() }
            case .ones: values = (0..<count).map { _ in 1 + 0.1 * normal() }
            case .glorot(let fanIn, let fanOut):
                let limit = (6 / Double(fanIn + fanOut)).squareRoot()
                values = (0..<count).map { _ in limit * (2 * uniform() - 1) }
            case .he(let fanIn): values = (0..<count).map { _ in (2 / Double(fanIn)).squareRoot() * normal() }
            }
            return Tensor(shape: parameter.shape, values: values)
        }
    }
}
