/// A first-order optimizer's rule, with every hyper-parameter, as the IR's updates apply it
/// (the compiler converts each spec optimizer into one). It prints as specs write it.
public enum UpdateRule: Hashable, Sendable, CustomStringConvertible {
    case sgd(lr: Double)
    case momentum(lr: Double, momentum: Double)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double)
    case rmsprop(lr: Double, decay: Double, eps: Double)

    public var description: String {
        let number = ProgramPrinter.number
        switch self {
        case .sgd(let lr): return "sgd(lr=\(number(lr)))"
        case .momentum(let lr, let momentum): return "momentum(lr=\(number(lr)), momentum=\(number(momentum)))"
        case .adam(let lr, let beta1, let beta2, let eps):
            return "adam(lr=\(number(lr)), beta1=\(number(beta1)), beta2=\(number(beta2)), eps=\(number(eps)))"
        case .rmsprop(let lr, let decay, let eps):
            return "rmsprop(lr=\(number(lr)), decay=\(number(decay)), eps=\(number(eps)))"
        }
    }
}
