/// Parses the expression language inside YAML strings (grammar: `Grammar/latent.ebnf`).
///
/// Entry points match the grammar's start symbols: `expression`, `statement`, `layer`.
/// Errors carry the exact line and column of the offending token.
public struct ExpressionParser {
    /// Deeper nesting of calls and lists than this is an error, never a stack overflow.
    public static let maximumDepth = 32

    private let tokens: [Token]
    private let scalar: YAMLScalar
    private var position = 0
    private var depth = 0

    /// A syntax error in an expression.
    public struct Failure: Error {
        public var location: SourceLocation
        public var length: Int
        public var message: String
    }

    private init(scalar: YAMLScalar) throws(Failure) {
        self.scalar = scalar
        do {
            tokens = try ExpressionLexer.tokenize(scalar.text)
        } catch {
            throw Failure(
                location: scalar.location(atOffset: error.offset), length: error.length, message: error.message)
        }
    }

    /// Parses a whole string as one expression.
    public static func expression(_ scalar: YAMLScalar) throws(Failure) -> Located<Expression> {
        var parser = try ExpressionParser(scalar: scalar)
        let result = try parser.parseExpression()
        try parser.expectEnd()
        return result
    }

    /// Parses `target ~ expression` or `target = expression`.
    public static func statement(_ scalar: YAMLScalar) throws(Failure) -> StatementSyntax {
        var parser = try ExpressionParser(scalar: scalar)
        let target = try parser.identifier(expected: "a variable name (as in 'z ~ gaussian(encoder(x))')")
        let op: StatementSyntax.Operator
        switch parser.peek.kind {
        case .punctuation("~"): op = .sample
        case .punctuation("="): op = .assign
        default:
            throw parser.failure(
                "expected '~' (a random draw) or '=' (a deterministic map) after '\(target.value)'")
        }
        parser.position += 1
        let value = try parser.parseExpression()
        try parser.expectEnd()
        return StatementSyntax(target: target, op: op, value: value)
    }

    /// The words a layer reads as options when a number follows them.
    public static let layerOptions: Set<String> = ["stride", "pad", "output_pad", "momentum"]

    /// Parses a layer shorthand: a word, then numbers, sizes (`4x4`) and lists, options
    /// (`stride 2`) in any order, and last an optional activation.
    public static func layer(_ scalar: YAMLScalar) throws(Failure) -> LayerSyntax {
        var parser = try ExpressionParser(scalar: scalar)
        let kind = try parser.identifier(expected: "a layer such as 'dense 512 relu'")
        var layer = LayerSyntax(kind: kind)
        while parser.peek.kind != .end {
            let location = scalar.location(atOffset: parser.peek.offset)
            switch parser.peek.kind {
            case .number(let value):
                parser.position += 1
                layer.arguments.append(Located(.number(value), at: location))
            case .size(let rows, let columns):
                parser.position += 1
                layer.arguments.append(Located(.size(rows, columns), at: location))
            case .punctuation("["):
                if case .list(let items) = try parser.parseExpression().value {
                    layer.arguments.append(Located(.list(items), at: location))
                }
            case .identifier(let word) where layerOptions.contains(word):
                parser.position += 1
                guard case .number(let value) = parser.peek.kind else {
                    throw parser.failure("'\(word)' needs a number after it, as in '\(word) 1'")
                }
                layer.options.append(
                    LayerOption(
                        keyword: Located(word, at: location),
                        value: Located(value, at: scalar.location(atOffset: parser.peek.offset))))
                parser.position += 1
            case .identifier(let word):
                if case .number = parser.tokens[parser.position + 1].kind {
                    throw parser.failure(
                        "unknown layer option '\(word)' (options: \(layerOptions.sorted().joined(separator: ", ")))")
                }
                layer.activation = try parser.parseExpression()
                try parser.expectEnd()
            default:
                throw parser.failure("expected a number, a size such as 4x4, an option or an activation, found \(parser.peek.text)")
            }
        }
        return layer
    }

    // MARK: - Grammar

    private var peek: Token { tokens[position] }

    private mutating func parseExpression() throws(Failure) -> Located<Expression> {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw failure("the expression nests more than \(Self.maximumDepth) levels deep")
        }
        let token = peek
        let location = scalar.location(atOffset: token.offset)
        switch token.kind {
        case .number(let value):
            position += 1
            return Located(.number(value), at: location)
        case .string(let text):
            position += 1
            return Located(.string(text), at: location)
        case .punctuation("["):
            position += 1
            let items = try parseList(closing: "]")
            return Located(.list(items), at: location)
        case .identifier(let name):
            position += 1
            guard peek.kind == .punctuation("(") else { return Located(.name(name), at: location) }
            position += 1
            let arguments = try parseArguments()
            return Located(.call(Located(name, at: location), arguments), at: location)
        default:
            throw failure("expected a name, a number, a string or a list, found \(token.text)")
        }
    }

    private mutating func parseList(closing: Character) throws(Failure) -> [Located<Expression>] {
        var items: [Located<Expression>] = []
        if peek.kind == .punctuation(closing) {
            position += 1
            return items
        }
        while true {
            items.append(try parseExpression())
            switch peek.kind {
            case .punctuation(","): position += 1
            case .punctuation(closing):
                position += 1
                return items
            default: throw failure("expected ',' or '\(closing)', found \(peek.text)")
            }
        }
    }

    private mutating func parseArguments() throws(Failure) -> [Expression.Argument] {
        var arguments: [Expression.Argument] = []
        if peek.kind == .punctuation(")") {
            position += 1
            return arguments
        }
        while true {
            var label: Located<String>?
            if case .identifier(let name) = peek.kind {
                switch tokens[position + 1].kind {
                case .punctuation("="):
                    label = Located(name, at: scalar.location(atOffset: peek.offset))
                    position += 2
                case .punctuation(":"):
                    position += 1
                    throw failure("named arguments use '=', as in '\(name)=...' (': ' would start a YAML key)")
                default:
                    break
                }
            }
            arguments.append(Expression.Argument(label: label, value: try parseExpression()))
            switch peek.kind {
            case .punctuation(","): position += 1
            case .punctuation(")"):
                position += 1
                return arguments
            default: throw failure("expected ',' or ')', found \(peek.text)")
            }
        }
    }

    private mutating func identifier(expected: String) throws(Failure) -> Located<String> {
        guard case .identifier(let name) = peek.kind else {
            throw failure("expected \(expected), found \(peek.text)")
        }
        defer { position += 1 }
        return Located(name, at: scalar.location(atOffset: peek.offset))
    }

    private func expectEnd() throws(Failure) {
        guard peek.kind == .end else { throw failure("unexpected \(peek.text) after the end of the expression") }
    }

    private func failure(_ message: String) -> Failure {
        Failure(location: scalar.location(atOffset: peek.offset), length: peek.length, message: message)
    }
}

extension YAMLScalar {
    /// The source location of a character offset inside the scalar's text. Exact for
    /// single-line plain and single-quoted scalars; otherwise the start of the content.
    public func location(atOffset offset: Int) -> SourceLocation {
        guard columnsAreExact || (style == .doubleQuoted && !text.contains("\n") && !text.contains("\\")) else {
            return contentLocation
        }
        return contentLocation.advanced(by: offset)
    }
}
