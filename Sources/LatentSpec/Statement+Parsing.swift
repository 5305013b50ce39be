extension Statement {
    static let families = ["gaussian", "bernoulli", "categorical"]

    /// Interprets `z ~ gaussian(encoder(x))`, `x ~ bernoulli(logits=decoder(z))`,
    /// `z = encoder(x, eps)`, `y ~ categorical(logits=classifier(x))`.
    static func interpret(_ scalar: YAMLScalar, _ diagnostics: inout DiagnosticList) -> Statement? {
        let syntax: StatementSyntax
        do {
            syntax = try ExpressionParser.statement(scalar)
        } catch {
            diagnostics.error(error.message, at: error.location, length: error.length)
            return nil
        }
        switch syntax.op {
        case .assign:
            guard let call = NetworkCall.interpret(syntax.value, role: "the right side of '='", &diagnostics) else {
                return nil
            }
            return Statement(target: syntax.target, value: .map(call), location: scalar.contentLocation)
        case .sample:
            guard let family = interpretFamily(syntax.value, &diagnostics) else { return nil }
            return Statement(target: syntax.target, value: .draw(family), location: scalar.contentLocation)
        }
    }

    private static func interpretFamily(_ expression: Located<Expression>, _ diagnostics: inout DiagnosticList)
        -> Located<Family>?
    {
        guard case .call(let callee, let arguments) = expression.value else {
            diagnostics.error(
                "expected a distribution over a network's output, such as gaussian(encoder(x)), found \(expression.value.kindName)",
                at: expression.location)
            return nil
        }
        let family: Family?
        switch callee.value {
        case "gaussian":
            guard
                let args = CallArguments(callee, arguments, parameters: ["params", "std"], required: 1, &diagnostics),
                let params = args["params"],
                let call = NetworkCall.interpret(params, role: "the parameters of 'gaussian'", &diagnostics)
            else { return nil }
            var std: Double?
            if args["std"] != nil {
                guard let fixed = args.number("std", default: 1, where: .scale, &diagnostics) else { return nil }
                std = fixed
            }
            family = .gaussian(call, std: std)
        case "bernoulli", "categorical":
            guard let args = CallArguments(callee, arguments, parameters: ["logits"], required: 1, &diagnostics),
                let logits = args["logits"],
                let call = NetworkCall.interpret(logits, role: "the logits of '\(callee.value)'", &diagnostics)
            else { return nil }
            family = callee.value == "bernoulli" ? .bernoulli(logits: call) : .categorical(logits: call)
        default:
            let isPrior = Distribution.names.contains(callee.value)
            diagnostics.unknown(
                "family", callee, among: families,
                hint: isPrior ? "; priors such as '\(callee.value)(...)' are declared under 'latents'" : "")
            return nil
        }
        return family.map { Located($0, at: expression.location) }
    }
}

extension NetworkCall {
    /// Interprets `network(a, b, ...)` whose inputs are variable names.
    static func interpret(_ expression: Located<Expression>, role: String, _ diagnostics: inout DiagnosticList)
        -> NetworkCall?
    {
        guard case .call(let network, let arguments) = expression.value else {
            diagnostics.error(
                "\(role) must be a network applied to variables, such as encoder(x), found \(expression.value.kindName)",
                at: expression.location)
            return nil
        }
        var inputs: [Located<String>] = []
        for argument in arguments {
            guard argument.label == nil, case .name(let name) = argument.value.value else {
                diagnostics.error(
                    "the inputs of network '\(network.value)' must be variable names, found \(argument.value.value.kindName)",
                    at: argument.location)
                return nil
            }
            inputs.append(Located(name, at: argument.value.location))
        }
        guard !inputs.isEmpty else {
            diagnostics.error(
                "network '\(network.value)' needs at least one input", at: network.location, length: network.value.count
            )
            return nil
        }
        return NetworkCall(network: network, inputs: inputs)
    }

    /// Interprets a YAML field holding a call such as `D(z)` or `T(x, z)`.
    static func interpret(_ node: YAMLNode, role: String, _ diagnostics: inout DiagnosticList) -> NetworkCall? {
        guard let expression = ScalarReader.expression(node, "\(role), such as D(z)", &diagnostics) else { return nil }
        return interpret(expression, role: role, &diagnostics)
    }
}
