import Foundation

extension UnaryFunction {
    /// f(x) in double precision (numerically stable forms for softplus and log-sigmoid).
    public func apply(_ x: Double) -> Double {
        switch self {
        case .neg: -x
        case .exp: Foundation.exp(x)
        case .log: Foundation.log(x)
        case .square: x * x
        case .softplus: max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
        case .sigmoid: 1 / (1 + Foundation.exp(-x))
        case .logSigmoid: -(max(-x, 0) + Foundation.log1p(Foundation.exp(-abs(x))))
        case .tanh: Foundation.tanh(x)
        case .relu: max(x, 0)
        case .elu: x > 0 ? x : Foundation.expm1(x)
        case .leakyRelu(let slope): x > 0 ? x : slope * x
        }
    }

    /// f'(x), given x and y = f(x).
    public func derivative(input x: Double, output y: Double) -> Double {
        switch self {
        case .neg: -1
        case .exp: y
        case .log: 1 / x
        case .square: 2 * x
        case .softplus: 1 / (1 + Foundation.exp(-x))
        case .sigmoid: y * (1 - y)
        case .logSigmoid: 1 / (1 + Foundation.exp(x))
        case .tanh: 1 - y * y
        case .relu: x > 0 ? 1 : 0
        case .elu: x > 0 ? 1 : y + 1
        case .leakyRelu(let slope): x > 0 ? 1 : slope
        }
    }
}

extension UnaryFunction {
    /// f'(x) from y = f(x) alone, for the functions where it follows (`derivativeFollowsFromOutput`).
    public func derivative(fromOutput y: Double) -> Double {
        switch self {
        case .relu: y > 0 ? 1 : 0
        case .leakyRelu(let slope): y > 0 ? 1 : slope
        case .elu: y > 0 ? 1 : y + 1
        case .sigmoid: y * (1 - y)
        case .tanh: 1 - y * y
        case .softplus: -Foundation.expm1(-y)
        case .exp: y
        case .neg, .log, .square, .logSigmoid: .nan
        }
    }
}

extension BinaryFunction {
    public func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        }
    }
}
