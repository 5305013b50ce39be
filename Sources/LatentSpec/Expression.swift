/// An expression written inside a YAML string: `normal(0, 1)`, `adam(lr=0.001)`,
/// `gaussian(encoder(x))`, `[0, 1]`, `npy("data/x.npy")`. Named arguments use `=`: Each spec field interprets the
/// `name: value` would read as a YAML key. Each spec field interprets the same small syntax
/// in its own way (a prior, an optimizer, a likelihood, ...).
public indirect enum Expression: Hashable, Sendable {
    case name(String)
    case number(Double)
    case string(String)
    case list([Located<Expression>])
    case call(Located<String>, [Argument])

    /// A call argument, positional (`label == nil`) or named (`lr=0.001`).
    public struct Argument: Hashable, Sendable {
        public var label: Located<String>?
        public var value: Located<Expression>

        public var location: SourceLocation { label?.location ?? value.location }
    }

    /// What kind of expression this is, for messages ("expected a number, found a call").
    public var kindName: String {
        switch self {
        case .name(let name): "the name '\(name)'"
        case .number: "a number"
        case .string: "a string"
        case .list: "a list"
        case .call(let callee, _): "a call of '\(callee.value)'"
        }
    }
}

/// `target ~ distribution` (a random draw) or `target = network(inputs)` (a deterministic map).
public struct StatementSyntax: Hashable, Sendable {
    public enum Operator: String, Sendable {
        case sample = "~"
        case assign = "="
    }

    public var target: Located<String>
    public var op: Operator
    public var value: Located<Expression>
}

/// A layer shorthand: a kind, then its arguments, options and activation, as in
/// `dense 512 relu`, `conv 64 4x4 stride 2 pad 1 leaky_relu(0.2)`, `reshape [128, 7, 7]`.
public struct LayerSyntax: Hashable, Sendable {
    public var kind: Located<String>
    /// Numbers, sizes and lists after the kind, in order: `512`, `4x4`, `[128, 7, 7]`.
    public var arguments: [Located<LayerArgument>] = []
    /// Keyword options with a number: `stride 2`, `pad 1`.
    public var options: [LayerOption] = []
    public var activation: Located<Expression>?

    public init(kind: Located<String>) { self.kind = kind }
}

/// A positional argument of a layer.
public enum LayerArgument: Hashable, Sendable {
    case number(Double)
    /// `4x4`.
    case size(Int, Int)
    case list([Located<Expression>])
}

/// `stride 2`: a layer option's keyword and its number.
public struct LayerOption: Hashable, Sendable {
    public var keyword: Located<String>
    public var value: Located<Double>
}

extension Expression: CustomStringConvertible {
    /// The expression in canonical form (as the resolved spec prints it).
    public var description: String {
        switch self {
        case .name(let name): name
        case .number(let value): Expression.format(value)
        case .string(let text): "\"\(text)\""
        case .list(let items): "[" + items.map(\.value.description).joined(separator: ", ") + "]"
        case .call(let callee, let arguments):
            callee.value + "("
                + arguments.map { argument in
                    (argument.label.map { "\($0.value)=" } ?? "") + argument.value.value.description
                }.joined(separator: ", ") + ")"
        }
    }

    /// Prints a number the shortest way that reads back exactly (`1`, `0.5`, `0.0002`).
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
