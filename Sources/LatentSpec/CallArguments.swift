/// Matches a call's arguments to named parameters, positionally then by label, reporting
/// unknown labels (with suggestions), repeated and missing arguments.
struct CallArguments {
    let callee: Located<String>
    private(set) var values: [String: Located<Expression>] = [:]

    /// `parameters` in positional order; the first `required` of them must be given.
    init?(
        _ callee: Located<String>, _ arguments: [Expression.Argument], parameters: [String], required: Int = 0,
        _ diagnostics: inout DiagnosticList
    ) {
        self.callee = callee
        var ok = true
        var sawLabel = false
        for (index, argument) in arguments.enumerated() {
            let name: String
            if let label = argument.label {
                sawLabel = true
                guard parameters.contains(label.value) else {
                    diagnostics.error(
                        "'\(callee.value)' has no parameter '\(label.value)' (it takes: \(parameters.joined(separator: ", ")))",
                        at: label.location, length: label.value.count,
                        suggestion: Suggestion.closest(to: label.value, in: parameters))
                    ok = false
                    continue
                }
                name = label.value
            } else {
                guard !sawLabel else {
                    diagnostics.error(
                        "positional arguments of '\(callee.value)' come before named ones", at: argument.location)
                    ok = false
                    continue
                }
                guard index < parameters.count else {
                    diagnostics.error(
                        "'\(callee.value)' takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(parameters.joined(separator: ", ")))",
                        at: argument.location)
                    ok = false
                    continue
                }
                name = parameters[index]
            }
            guard values[name] == nil else {
                diagnostics.error("'\(name)' is given twice in '\(callee.value)'", at: argument.location)
                ok = false
                continue
            }
            values[name] = argument.value
        }
        for name in parameters.prefix(required) where values[name] == nil {
            diagnostics.error(
                "'\(callee.value)' needs the argument '\(name)'", at: callee.location, length: callee.value.count)
            ok = false
        }
        guard ok else { return nil }
    }

    subscript(name: String) -> Located<Expression>? { values[name] }

    func number(
        _ name: String, default fallback: Double, where requirement: Requirement = .any,
        _ diagnostics: inout DiagnosticList
    ) -> Double? {
        guard let argument = values[name] else { return fallback }
        guard case .number(let value) = argument.value else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be a number, found \(argument.value.kindName)",
                at: argument.location)
            return nil
        }
        guard Float32Range.holds(value) else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' is \(Expression.format(value)): \(Float32Range.phrase)",
                at: argument.location)
            return nil
        }
        guard requirement.holds(value) else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' \(requirement.phrase), found \(Expression.format(value))",
                at: argument.location)
            return nil
        }
        return value
    }

    /// A whole-number argument from `minimum` to `maximum`.
    func integer(
        _ name: String, default fallback: Int, minimum: Int, maximum: Int, _ diagnostics: inout DiagnosticList
    ) -> Int? {
        guard let argument = values[name] else { return fallback }
        guard case .number(let value) = argument.value, value == value.rounded(), abs(value) < 1e12 else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be a whole number, found \(argument.value.description)",
                at: argument.location)
            return nil
        }
        guard Int(value) >= minimum else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be at least \(minimum), found \(Int(value))", at: argument.location
            )
            return nil
        }
        guard Int(value) <= maximum else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be at most \(maximum), found \(Int(value))", at: argument.location
            )
            return nil
        }
        return Int(value)
    }

    /// A number or a list of numbers (a vector parameter; a single number broadcasts).
    func vector(
        _ name: String, default fallback: [Double], where requirement: Requirement = .any,
        _ diagnostics: inout DiagnosticList
    ) -> [Double]? {
        guard let argument = values[name] else { return fallback }
        let items: [Located<Expression>]
        switch argument.value {
        case .number: items = [argument]
        case .list(let list) where !list.isEmpty: items = list
        default:
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be a number or a list of numbers, found \(argument.value.kindName)",
                at: argument.location)
            return nil
        }
        var vector: [Double] = []
        for item in items {
            guard case .number(let value) = item.value else {
                diagnostics.error(
                    "'\(name)' of '\(callee.value)' must hold numbers, found \(item.value.kindName)", at: item.location)
                return nil
            }
            guard Float32Range.holds(value) else {
                diagnostics.error(
                    "'\(name)' of '\(callee.value)' holds \(Expression.format(value)): \(Float32Range.phrase)",
                    at: item.location)
                return nil
            }
            guard requirement.holds(value) else {
                diagnostics.error(
                    "'\(name)' of '\(callee.value)' \(requirement.phrase), found \(Expression.format(value))",
                    at: item.location)
                return nil
            }
            vector.append(value)
        }
        return vector
    }

    func string(_ name: String, _ diagnostics: inout DiagnosticList) -> String? {
        guard let argument = values[name] else { return nil }
        guard case .string(let text) = argument.value, !text.isEmpty else {
            diagnostics.error(
                "'\(name)' of '\(callee.value)' must be a quoted path such as \"data/x.npy\", found \(argument.value.kindName)",
                at: argument.location)
            return nil
        }
        return text
    }
}

extension Located where Value == Expression {
    /// The callee and arguments, or an error "expected DESCRIPTION, found ..." if this is no call.
    func call(expecting description: String, _ diagnostics: inout DiagnosticList)
        -> (callee: Located<String>, arguments: [Expression.Argument])?
    {
        guard let call = asCall else {
            diagnostics.error("expected \(description), found \(value.kindName)", at: location)
            return nil
        }
        return call
    }

    /// The callee and arguments of a call; a bare name counts as a call with no arguments.
    var asCall: (callee: Located<String>, arguments: [Expression.Argument])? {
        switch value {
        case .call(let callee, let arguments): (callee, arguments)
        case .name(let name): (Located<String>(name, at: location), [])
        default: nil
        }
    }
}

/// A condition a numeric argument must meet, with the words that explain it.
struct Requirement: Sendable {
    let holds: @Sendable (Double) -> Bool
    let phrase: String

    static let any = Requirement(holds: { _ in true }, phrase: "")
    static let positive = Requirement(holds: { $0 > 0 }, phrase: "must be positive")
    static let nonNegative = Requirement(holds: { $0 >= 0 }, phrase: "must not be negative")
    static let unitInterval = Requirement(holds: { $0 >= 0 && $0 < 1 }, phrase: "must be in [0, 1)")
    /// A standard deviation: its inverse square (in every Gaussian density) must stay finite in float32.
    static let scale = Requirement(
        holds: { $0 >= 1e-18 && $0 <= 1e18 },
        phrase: "must be between 1e-18 and 1e18 (Gaussian densities divide by its square in float32)")
}

/// The numbers float32 holds without overflow or loss to zero: every number of a spec is
/// used in float32, so one outside this range is refused where it is written.
public enum Float32Range {
    public static func holds(_ value: Double) -> Bool {
        value == 0 || (abs(value) >= Double(Float.leastNormalMagnitude) && abs(value) <= Double(Float.greatestFiniteMagnitude))
    }

    public static let phrase = "float32 cannot hold it (its range is about 1.2e-38 to 3.4e38 in magnitude, or 0)"
}
