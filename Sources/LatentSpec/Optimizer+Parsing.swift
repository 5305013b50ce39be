extension Optimizer {
    static let names = ["sgd", "momentum", "adam", "rmsprop"]

    /// Interprets `sgd(lr=0.1)`, `momentum(0.01, momentum=0.9)`, `adam(lr=0.001, beta1=0.5)`,
    /// `rmsprop(lr=0.001)`; the first argument is always the learning rate.
    static func interpret(_ expression: Located<Expression>, _ diagnostics: inout DiagnosticList) -> Located<Optimizer>?
    {
        guard let (callee, arguments) = expression.call(expecting: "an optimizer such as adam(lr=0.001)", &diagnostics)
        else { return nil }
        let result: Optimizer?
        switch callee.value {
        case "sgd":
            guard let args = CallArguments(callee, arguments, parameters: ["lr"], &diagnostics),
                let lr = args.number("lr", default: 0.01, where: .positive, &diagnostics)
            else { return nil }
            result = .sgd(lr: lr)
        case "momentum":
            guard let args = CallArguments(callee, arguments, parameters: ["lr", "momentum"], &diagnostics),
                let lr = args.number("lr", default: 0.01, where: .positive, &diagnostics),
                let momentum = args.number("momentum", default: 0.9, where: .unitInterval, &diagnostics)
            else { return nil }
            result = .momentum(lr: lr, momentum: momentum)
        case "adam":
            guard
                let args = CallArguments(callee, arguments, parameters: ["lr", "beta1", "beta2", "eps"], &diagnostics),
                let lr = args.number("lr", default: 0.001, where: .positive, &diagnostics),
                let beta1 = args.number("beta1", default: 0.9, where: .unitInterval, &diagnostics),
                let beta2 = args.number("beta2", default: 0.999, where: .unitInterval, &diagnostics),
                let eps = args.number("eps", default: 1e-8, where: .positive, &diagnostics)
            else { return nil }
            result = .adam(lr: lr, beta1: beta1, beta2: beta2, eps: eps)
        case "rmsprop":
            guard let args = CallArguments(callee, arguments, parameters: ["lr", "decay", "eps"], &diagnostics),
                let lr = args.number("lr", default: 0.001, where: .positive, &diagnostics),
                let decay = args.number("decay", default: 0.9, where: .unitInterval, &diagnostics),
                let eps = args.number("eps", default: 1e-8, where: .positive, &diagnostics)
            else { return nil }
            result = .rmsprop(lr: lr, decay: decay, eps: eps)
        default:
            diagnostics.unknown("optimizer", callee, among: names)
            return nil
        }
        return result.map { Located($0, at: expression.location) }
    }
}
