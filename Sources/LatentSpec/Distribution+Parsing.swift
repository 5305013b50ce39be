extension Distribution {
    static let names = ["normal", "mixture", "categorical", "uniform", "swiss_roll"]

    /// Interprets `normal(0, 1)`, `mixture(...)`, `categorical(10)`, `uniform(-1, 1)`, `swiss_roll()`.
    static func interpret(
        _ expression: Located<Expression>, _ diagnostics: inout DiagnosticList
    ) -> Located<Distribution>? {
        guard let (callee, arguments) = expression.call(expecting: "a distribution such as normal(0, 1)", &diagnostics)
        else { return nil }
        var result: Distribution?
        switch callee.value {
        case "normal":
            guard let args = CallArguments(callee, arguments, parameters: ["mean", "std"], &diagnostics),
                let mean = args.vector("mean", default: [0], &diagnostics),
                let std = args.vector("std", default: [1], where: .scale, &diagnostics)
            else { return nil }
            result = .normal(mean: mean, std: std)
        case "mixture":
            result = interpretMixture(callee, arguments, &diagnostics)
        case "categorical":
            guard let args = CallArguments(callee, arguments, parameters: ["classes"], required: 1, &diagnostics),
                let classes = args["classes"]
            else { return nil }
            if case .list = classes.value {
                guard let probabilities = args.vector("classes", default: [], where: .positive, &diagnostics) else {
                    return nil
                }
                guard abs(probabilities.reduce(0, +) - 1) < 1e-6 else {
                    diagnostics.error("the probabilities of 'categorical' must sum to 1", at: classes.location)
                    return nil
                }
                result = .categorical(probabilities: probabilities)
            } else {
                guard let count = args.integer("classes", default: 0, minimum: 2, maximum: 100_000, &diagnostics) else {
                    return nil
                }
                result = .categorical(probabilities: Array(repeating: 1 / Double(count), count: count))
            }
        case "uniform":
            guard let args = CallArguments(callee, arguments, parameters: ["low", "high"], &diagnostics),
                let low = args.number("low", default: -1, &diagnostics),
                let high = args.number("high", default: 1, &diagnostics)
            else { return nil }
            guard low < high else {
                diagnostics.error(
                    "'uniform' needs low < high, found \(Expression.format(low)) and \(Expression.format(high))",
                    at: callee.location)
                return nil
            }
            result = .uniform(low: low, high: high)
        case "swiss_roll":
            guard let args = CallArguments(callee, arguments, parameters: ["noise"], &diagnostics),
                let noise = args.number("noise", default: 0, where: .nonNegative, &diagnostics)
            else { return nil }
            result = .swissRoll(noise: noise)
        default:
            diagnostics.unknown("distribution", callee, among: names)
        }
        return result.map { Located($0, at: expression.location) }
    }

    /// `mixture(10, radius=4, std=0.5)` (a ring of components, 2-D) or
    /// `mixture(normal(...), normal(...), weights=[0.3, 0.7])`.
    private static func interpretMixture(
        _ callee: Located<String>, _ arguments: [Expression.Argument], _ diagnostics: inout DiagnosticList
    ) -> Distribution? {
        if let first = arguments.first, first.label == nil, case .number = first.value.value {
            guard
                let args = CallArguments(callee, arguments, parameters: ["components", "radius", "std"], &diagnostics),
                let count = args.integer("components", default: 0, minimum: 2, maximum: 10_000, &diagnostics),
                let radius = args.number("radius", default: 4, where: .positive, &diagnostics),
                let std = args.number("std", default: 0.5, where: .scale, &diagnostics)
            else { return nil }

            return .ringMixture(components: count, radius: radius, std: std)
        }
        var components: [MixtureComponent] = []
        var weights: Located<Expression>?
        for argument in arguments {
            if let label = argument.label {
                guard label.value == "weights" else {
                    diagnostics.error(
                        "'mixture' has no parameter '\(label.value)' (it takes normal(...) components and weights)",
                        at: label.location, suggestion: Suggestion.closest(to: label.value, in: ["weights"]))
                    return nil
                }
                weights = argument.value
                continue
            }
            guard let component = interpret(argument.value, &diagnostics) else { return nil }
            guard case .normal(let mean, let std) = component.value else {
                diagnostics.error(
                    "components of 'mixture' are normal(mean, std), found '\(component.value.kindName)'",
                    at: argument.location)
                return nil
            }
            components.append(MixtureComponent(weight: 0, mean: mean, std: std))
        }
        guard components.count >= 2 else {
            diagnostics.error(
                "'mixture' needs at least two normal(...) components, or a count such as mixture(10, radius=4, std=0.5)",
                at: callee.location, length: callee.value.count)
            return nil
        }
        var weightValues = Array(repeating: 1 / Double(components.count), count: components.count)
        if let weights {
            guard case .list(let items) = weights.value, items.count == components.count,
                let values = Optional(
                    items.compactMap { item -> Double? in
                        if case .number(let value) = item.value, value > 0 { return value }
                        return nil
                    }), values.count == items.count
            else {
                diagnostics.error(
                    "'weights' of 'mixture' must be a list of \(components.count) positive numbers, one per component",
                    at: weights.location)
                return nil
            }
            let total = values.reduce(0, +)
            weightValues = values.map { $0 / total }
        }
        for index in components.indices { components[index].weight = weightValues[index] }
        return .mixture(components)
    }
}
