import Foundation

/// Prints diagnostics for people (`file:line:col: error: message`, the source line and a
/// caret, as swiftc and stanc3 do) or for tools (JSON records).
public enum DiagnosticRenderer {
    /// The diagnostics of one file as text, in source order; `color` adds terminal colours.
    public static func text(_ diagnostics: [Diagnostic], in file: SourceFile, color: Bool = false) -> String {
        var output = ""
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        for diagnostic in diagnostics {
            let location = diagnostic.location
            let severity: String
            switch diagnostic.severity {
            case .error: severity = paint("error:", "1;31")
            case .warning: severity = paint("warning:", "1;35")
            case .note: severity = paint("note:", "1;36")
            }
            output +=
                paint("\(file.path):\(location.line):\(location.column):", "1")
                + " \(severity) \(paint(diagnostic.fullMessage, "1"))\n"
            guard let line = file.line(location.line) else { continue }
            let gutter = String(location.line)
            let pad = String(repeating: " ", count: gutter.count)
            let scalars = Array(line.unicodeScalars)
            let prefix = scalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
            let available = max(1, scalars.count - (location.column - 1))
            let underline = "^" + String(repeating: "~", count: max(0, min(diagnostic.length, available) - 1))
            output += " \(gutter) | \(line)\n \(pad) | \(prefix)\(paint(underline, "1;32"))\n"
        }
        return output
    }

    /// One diagnostic as a record for editors and tools.
    public struct Record: Equatable, Sendable {
        public var file: String
        public var line: Int
        public var column: Int
        public var severity: Diagnostic.Severity
        public var message: String
        public var suggestion: String?

        public init(_ diagnostic: Diagnostic, file: String) {
            self.file = file
            line = diagnostic.location.line
            column = diagnostic.location.column
            severity = diagnostic.severity
            message = diagnostic.message
            suggestion = diagnostic.suggestion
        }

        /// The record as one JSON object, keys in the documented order.
        public var json: String {
            let fields = [
                ("file", quoted(file)), ("line", String(line)), ("column", String(column)),
                ("severity", quoted(severity.rawValue)), ("message", quoted(message)),
                ("suggestion", suggestion.map(quoted) ?? "null"),
            ]
            return "{" + fields.map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
        }
    }

    /// Records as a JSON array, one record per line.
    public static func json(_ records: [Record]) -> String {
        records.isEmpty ? "[]\n" : "[\n  " + records.map(\.json).joined(separator: ",\n  ") + "\n]\n"
    }

    /// "2 errors, 1 warning" (or nil when there is nothing to count).
    public static func summary(_ diagnostics: [Diagnostic]) -> String? {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// A string as a JSON string literal.
private func quoted(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
}
