/// Reads typed YAML scalars (integers, numbers, booleans, enumerations, expressions),
/// reporting what was expected when a value does not fit.
enum ScalarReader {
    static func scalar(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList) -> YAMLScalar? {
        guard case .scalar(let scalar) = node, !(scalar.text.isEmpty && scalar.style == .plain) else {
            diagnostics.error("expected \(what), found \(node.kindName)", at: node.location)
            return nil
        }
        return scalar
    }

    /// A whole number from `minimum` to `maximum`.
    static func integer(
        _ node: YAMLNode, _ what: String, minimum: Int, maximum: Int, _ diagnostics: inout DiagnosticList
    ) -> Located<Int>? {
        guard let scalar = scalar(node, "an integer for \(what)", &diagnostics) else { return nil }
        let text = scalar.text
        let tooLarge = "\(what) must be at most \(maximum), found \(text)"
        // Whole numbers written with an exponent (1e6) are integers too; beyond Int they are too large.
        let whole = Double(text).flatMap { $0.isFinite && $0 == $0.rounded() ? $0 : nil }
        guard let value = Int(text) ?? whole.flatMap({ Int(exactly: $0) }) else {
            if let whole {
                diagnostics.error(
                    whole > 0 ? tooLarge : "\(what) must be at least \(minimum), found \(text)", at: scalar.location,
                    length: text.count)
                return nil
            }
            let detail = Double(text).map { $0.isFinite ? "the fraction \(text)" : "'\(text)'" } ?? "'\(text)'"
            diagnostics.error("expected an integer for \(what), found \(detail)", at: scalar.location, length: text.count)
            return nil
        }
        guard value >= minimum else {
            diagnostics.error("\(what) must be at least \(minimum), found \(value)", at: scalar.location, length: text.count)
            return nil
        }
        guard value <= maximum else {
            diagnostics.error(tooLarge, at: scalar.location, length: text.count)
            return nil
        }
        return Located(value, at: scalar.location)
    }

    /// A whole number within the bounds of an integer schema type.
    static func integer(
        _ node: YAMLNode, _ what: String, _ type: SchemaType, _ diagnostics: inout DiagnosticList
    ) -> Located<Int>? {
        guard case .integer(let minimum, let maximum) = type else {
            preconditionFailure("\(what) is not an integer in the schema")
        }
        return integer(node, what, minimum: minimum, maximum: maximum, &diagnostics)
    }

    static func number(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList) -> Located<Double>? {
        guard let scalar = scalar(node, "a number for \(what)", &diagnostics) else { return nil }
        guard let value = Double(scalar.text), value.isFinite,
            scalar.text.allSatisfy({ "0123456789+-.eE".contains($0) })
        else {
            diagnostics.error(
                "expected a finite number for \(what), found '\(scalar.text)'", at: scalar.location,
                length: scalar.text.count)
            return nil
        }
        guard Float32Range.holds(value) else {
            diagnostics.error(
                "\(what) is \(scalar.text): \(Float32Range.phrase)", at: scalar.location, length: scalar.text.count)
            return nil
        }
        return Located(value, at: scalar.location)
    }

    static func boolean(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList) -> Located<Bool>? {
        guard let scalar = scalar(node, "true or false for \(what)", &diagnostics) else { return nil }
        switch scalar.text {
        case "true": return Located(true, at: scalar.location)
        case "false": return Located(false, at: scalar.location)
        default:
            diagnostics.error(
                "expected true or false for \(what), found '\(scalar.text)'", at: scalar.location,
                length: scalar.text.count)
            return nil
        }
    }

    static func enumeration<Value: RawRepresentable & CaseIterable>(
        _ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList
    ) -> Located<Value>? where Value.RawValue == String {
        let names = Value.allCases.map(\.rawValue)
        guard let scalar = scalar(node, "one of \(names.joined(separator: ", ")) for \(what)", &diagnostics) else {
            return nil
        }
        guard let value = Value(rawValue: scalar.text) else {
            diagnostics.unknown(what, scalar.located, among: names)
            return nil
        }
        return Located(value, at: scalar.location)
    }

    static func expression(
        _ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList
    ) -> Located<Expression>? {
        guard let scalar = scalar(node, what, &diagnostics) else { return nil }
        do {
            return try ExpressionParser.expression(scalar)
        } catch {
            diagnostics.error(error.message + flowHint(scalar, error), at: error.location, length: error.length)
            return nil
        }
    }

    /// In `{...}` or `[...]` a comma ends a YAML value, so `normal(0, 1)` arrives as `normal(0`:
    /// say so when an expression stops short there.
    static func flowHint(_ scalar: YAMLScalar, _ error: ExpressionParser.Failure) -> String {
        guard scalar.inFlow, scalar.style == .plain, error.message.hasSuffix("found the end of the text") else {
            return ""
        }
        return "; inside {...} or [...] a comma ends a YAML value, so quote the expression: '\(scalar.text), ...)'"
    }

    static func list(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticList) -> [YAMLNode]? {
        guard case .sequence(let items, _) = node else {
            diagnostics.error("expected a list for \(what), found \(node.kindName)", at: node.location)
            return nil
        }
        return items
    }
}
