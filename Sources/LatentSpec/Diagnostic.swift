/// One problem found in a spec: where, how bad, what, and how to fix it.
public struct Diagnostic: Hashable, Sendable {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Codable {
        case error, warning, note
    }

    public var severity: Severity
    public var location: SourceLocation
    /// How many columns the caret underline spans (at least 1).
    public var length: Int
    public var message: String
    /// A replacement the user probably meant ("did you mean ...?").
    public var suggestion: String?

    public init(
        _ severity: Severity, at location: SourceLocation, length: Int = 1, _ message: String,
        suggestion: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.length = max(1, length)
        self.message = message
        self.suggestion = suggestion
    }

    /// The message followed by the suggestion, as printed for people.
    public var fullMessage: String {
        guard let suggestion else { return message }
        return "\(message); did you mean '\(suggestion)'?"
    }
}

/// Collects diagnostics in the order they are found, with a cap so that a huge broken
/// file produces a readable report rather than millions of lines.
public struct DiagnosticList: Sendable {
    public static let maximumErrors = 100

    public private(set) var all: [Diagnostic] = []
    public private(set) var errorCount = 0
    private var truncated = false

    public init() {}

    public var hasErrors: Bool { errorCount > 0 }

    public mutating func append(_ diagnostic: Diagnostic) {
        guard !truncated else { return }
        if diagnostic.severity == .error {
            if errorCount == Self.maximumErrors {
                truncated = true
                all.append(
                    Diagnostic(
                        .note, at: diagnostic.location,
                        "too many errors (\(Self.maximumErrors)); stopping here"))
                return
            }
            errorCount += 1
        }
        all.append(diagnostic)
    }

    public mutating func append(contentsOf other: DiagnosticList) {
        for diagnostic in other.all { append(diagnostic) }
    }

    public mutating func error(
        _ message: String, at location: SourceLocation, length: Int = 1, suggestion: String? = nil
    ) {
        append(Diagnostic(.error, at: location, length: length, message, suggestion: suggestion))
    }

    /// "unknown KIND 'NAME' (expected one of: ...)", with a suggestion when one is close;
    /// returns the suggestion. Every unknown-word message is worded by this one function.
    @discardableResult
    public mutating func unknown(
        _ kind: String, _ name: Located<String>, among candidates: [String], context: String = "", hint: String = ""
    ) -> String? {
        let suggestion = Suggestion.closest(to: name.value, in: candidates)
        error(
            "unknown \(kind) '\(name.value)'\(context) (expected one of: \(candidates.joined(separator: ", ")))\(hint)",
            at: name.location, length: max(1, name.value.count), suggestion: suggestion)
        return suggestion
    }

    public mutating func warning(_ message: String, at location: SourceLocation, length: Int = 1) {
        append(Diagnostic(.warning, at: location, length: length, message))
    }

    /// The diagnostics sorted by position (stable for equal positions), as reported.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted {
            ($0.element.location, $0.offset) < ($1.element.location, $1.offset)
        }.map(\.element)
    }
}
