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

    static func integer(
        _ node: YAMLNode, _ what: String, minimum: Int, _ diagnostics: inout DiagnosticList
    ) -> Located<Int>? {
        guard let scalar = scalar(node, "an integer for \(what)", &diagnostics) else { return nil }
        return integer(scalar.text, at: scalar.location, what, minimum: minimum, &diagnostics)
    }

    static func integer(
        _ text: String, at location: SourceLocation, _ what: String, minimum: Int,
        _ diagnostics: inout DiagnosticList
    ) -> Located<Int>? {
        guard let value = Int(text) else {
            let detail: String
            if let number = Double(text), number.isFinite {
                detail = number == number.rounded() ? "a number too large to use" : "the fraction \(text)"
            } else {
                detail = "'\(text)'"
            }
            diagnostics.error("expected an integer for \(what), found \(detail)", at: location, length: text.count)
            return nil
        }
        guard value >= minimum else {
            diagnostics.error("\(what) must be at least \(minimum), found \(value)", at: location, length: text.count)
            return nil
        }
        return Located(value, at: location)
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
