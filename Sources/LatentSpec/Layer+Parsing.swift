extension Layer {
    /// Interprets a layer shorthand: `dense 512 relu`, `dense 1`, `dense 256 leaky_relu(0.2)`.
    static func interpret(_ scalar: YAMLScalar, _ diagnostics: inout DiagnosticList) -> Located<Layer>? {
        let syntax: LayerSyntax
        do {
            syntax = try ExpressionParser.layer(scalar)
        } catch {
            diagnostics.error(error.message, at: error.location, length: error.length)
            return nil
        }
        guard syntax.kind.value == "dense" else {
            diagnostics.error(
                "unknown layer '\(syntax.kind.value)' (Latent builds MLPs: write 'dense UNITS [ACTIVATION]')",
                at: syntax.kind.location, length: syntax.kind.value.count,
                suggestion: Suggestion.closest(to: syntax.kind.value, in: ["dense"]))
            return nil
        }
        guard let units = syntax.units else {
            diagnostics.error(
                "'dense' needs a number of units, as in 'dense 512 relu'", at: syntax.kind.location, length: 5)
            return nil
        }
        guard case .number(let count) = units.value, count == count.rounded(), count >= 1, count <= 1_000_000 else {
            diagnostics.error(
                "the units of a dense layer are a whole number from 1 to 1000000, found \(units.value.description)",
                at: units.location)
            return nil
        }
        var activation = Activation.identity
        if let written = syntax.activation {
            guard let interpreted = Activation.interpret(written, &diagnostics) else { return nil }
            activation = interpreted
        }
        return Located(Layer(units: Int(count), activation: activation), at: scalar.contentLocation)
    }
}

extension Activation {
    static func interpret(_ expression: Located<Expression>, _ diagnostics: inout DiagnosticList) -> Activation? {
        guard let (callee, arguments) = expression.call(expecting: "an activation such as relu", &diagnostics) else {
            return nil
        }
        if callee.value == "leaky_relu" {
            guard let args = CallArguments(callee, arguments, parameters: ["slope"], &diagnostics),
                let slope = args.number("slope", default: 0.2, where: .unitInterval, &diagnostics)
            else { return nil }
            return .leakyRelu(slope: slope)
        }
        let plain: [String: Activation] = [
            "identity": .identity, "relu": .relu, "tanh": .tanh, "sigmoid": .sigmoid, "softplus": .softplus,
            "elu": .elu,
        ]
        guard let activation = plain[callee.value] else {
            diagnostics.unknown("activation", callee, among: names)
            return nil
        }
        guard CallArguments(callee, arguments, parameters: [], &diagnostics) != nil else { return nil }
        return activation
    }
}
