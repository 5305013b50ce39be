/// A YAML scalar with the place it was written and how it was quoted.
public struct YAMLScalar: Hashable, Sendable {
    /// How a scalar was written; quoting moves its text one column right of its mark.
    public enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

    public var text: String
    public var style: Style
    public var location: SourceLocation
    /// Whether the scalar sits in a flow collection (`{...}` or `[...]`), where a comma ends it.
    public var inFlow: Bool = false

    package init(text: String, style: Style, location: SourceLocation, inFlow: Bool = false) {
        self.text = text
        self.style = style
        self.location = location
        self.inFlow = inFlow
    }

    /// Where the scalar's first character of content is (inside any quote).
    public var contentLocation: SourceLocation {
        switch style {
        case .plain: location
        case .singleQuoted, .doubleQuoted: location.advanced(by: 1)
        case .literal, .folded: SourceLocation(line: location.line + 1, column: 1)
        }
    }

    /// The text with its location, as a name.
    public var located: Located<String> { Located(text, at: location) }

    /// Whether column offsets inside `text` map one-to-one onto the source line.
    public var columnsAreExact: Bool {
        (style == .plain || style == .singleQuoted) && !text.contains("\n")
    }
}

/// A YAML document as a tree in which every node keeps its source location.
public indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], SourceLocation)
    case mapping([YAMLEntry], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(let scalar): scalar.location
        case .sequence(_, let location), .mapping(_, let location): location
        }
    }

    /// What kind of node this is, for messages ("expected a mapping, found a list").
    public var kindName: String {
        switch self {
        case .scalar(let scalar): scalar.text.isEmpty && scalar.style == .plain ? "nothing" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// One `key: value` pair of a mapping.
public struct YAMLEntry: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}
