/// A chain of elementwise operations run as one loop: every input is broadcast to `domain`,
/// the steps run per element, and an optional reduction folds the result (a loss and its
/// reduction in one pass).
public struct FusedKernel: Hashable, Sendable {
    public var inputs: [ValueID]
    /// The shape the steps run over, before any reduction.
    public var domain: Shape
    /// Each step reads inputs or earlier steps; the last step is the result.
    public var steps: [KernelStep]
    public var reduction: KernelReduction?

    public init(inputs: [ValueID], domain: Shape, steps: [KernelStep], reduction: KernelReduction? = nil) {
        self.inputs = inputs
        self.domain = domain
        self.steps = steps
        self.reduction = reduction
    }
}

/// One per-element step of a fused kernel; integers index earlier steps.
public enum KernelStep: Hashable, Sendable {
    case input(Int)
    case constant(Double)
    case unary(UnaryFunction, Int)
    case binary(BinaryFunction, Int, Int)
    /// upstream * f'(input) with output = f(input).
    case derivative(UnaryFunction, input: Int, output: Int, upstream: Int)
    /// upstream * f'(x), computed from the output f(x) alone.
    case activationBackward(UnaryFunction, output: Int, upstream: Int)
}

/// The reduction ending a fused kernel.
public enum KernelReduction: String, Hashable, Sendable {
    case sumLast = "sum_last"
    case meanAll = "mean"
}

extension UnaryFunction {
    /// Whether f'(x) can be computed from y = f(x) alone, so the input need not be kept.
    public var derivativeFollowsFromOutput: Bool {
        switch self {
        case .relu, .leakyRelu, .elu, .sigmoid, .tanh, .softplus, .exp: true
        case .neg, .log, .square, .logSigmoid: false
        }
    }
}

extension FusedKernel {
    /// Runs the steps for one element, one register per step, reading input `i` through
    /// `input(i)`; returns the result (the last register).
    public func evaluate(registers: UnsafeMutablePointer<Double>, input: (Int) -> Double) -> Double {
        for (index, step) in steps.enumerated() {
            switch step {
            case .input(let i): registers[index] = input(i)
            case .constant(let c): registers[index] = c
            case .unary(let f, let a): registers[index] = f.apply(registers[a])
            case .binary(let f, let a, let b): registers[index] = f.apply(registers[a], registers[b])
            case .derivative(let f, let i, let o, let u):
                registers[index] = registers[u] * f.derivative(input: registers[i], output: registers[o])
            case .activationBackward(let f, let o, let u):
                registers[index] = registers[u] * f.derivative(fromOutput: registers[o])
            }
        }
        return registers[steps.count - 1]
    }
}
