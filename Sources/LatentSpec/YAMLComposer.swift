import CYaml
import Foundation

/// Builds a `YAMLNode` tree from libyaml's event stream (libyaml as bundled with Yams).
///
/// It composes iteratively, so no input nests deep enough to exhaust the stack; it reports
/// every duplicate key with the place of the first; and it never traps on malformed input:
/// every failure becomes a diagnostic with a line and column.
public enum YAMLComposer {
    /// Deeper nesting than this is reported as an error (specs nest four or five levels).
    public static let maximumDepth = 64

    public static func compose(_ file: SourceFile, into diagnostics: inout DiagnosticList)
        -> YAMLNode?
    {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.error("the YAML parser could not start (out of memory)", at: .start)
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        return file.bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = Composition(file: file)
            composer.run(&parser)
            diagnostics.append(contentsOf: composer.diagnostics)
            return composer.diagnostics.hasErrors ? nil : composer.root
        }
    }
}

/// The state of one composition: a stack of open collections and the anchors seen so far.
private struct Composition {
    /// A collection whose end has not been seen yet. Mutated in place on the stack, so
    /// adding an item never copies the items before it.
    struct Open {
        var isMapping: Bool
        /// Written inline, `{...}` or `[...]`.
        var isFlow: Bool
        var location: SourceLocation
        var anchor: String?
        var items: [YAMLNode] = []
        var entries: [YAMLEntry] = []
        /// Where each scalar key was first written, to find duplicates.
        var keys: [String: SourceLocation] = [:]
        var pendingKey: YAMLNode?
    }

    let file: SourceFile
    var stack: [Open] = []
    var anchors: [String: YAMLNode] = [:]
    var root: YAMLNode?
    var documents = 0
    var diagnostics = DiagnosticList()

    init(file: SourceFile) { self.file = file }

    mutating func run(_ parser: inout yaml_parser_t) {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportParserError(parser)
                return
            }
            defer { yaml_event_delete(&event) }
            let location = SourceLocation(
                line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents == 2 {
                    diagnostics.error(
                        "a spec is one YAML document; remove the second document (after '---')",
                        at: location)
                    return
                }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = string(scalar.value, length: scalar.length)
                let node = YAMLNode.scalar(
                    YAMLScalar(
                        text: text, style: style(scalar.style), location: location, inFlow: stack.last?.isFlow ?? false)
                )
                rememberName(optionalString(scalar.anchor), node)
                add(node)
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor)
                if let node = anchors[name] {
                    add(node)
                } else {
                    diagnostics.error("the alias '*\(name)' names no anchor defined before it", at: location)
                    add(.scalar(YAMLScalar(text: "", style: .plain, location: location)))
                }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLComposer.maximumDepth else {
                    diagnostics.error(
                        "the YAML nests more than \(YAMLComposer.maximumDepth) levels deep; a spec needs at most a few",
                        at: location)
                    return
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = optionalString(
                    isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                let isFlow =
                    isMapping
                    ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                stack.append(Open(isMapping: isMapping, isFlow: isFlow, location: location, anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let open = stack.popLast() else { break }
                let node: YAMLNode =
                    open.isMapping ? .mapping(open.entries, open.location) : .sequence(open.items, open.location)
                rememberName(open.anchor, node)
                add(node)
            default:
                break
            }
        }
    }

    /// Adds a finished node to the innermost open collection (or makes it the root).
    mutating func add(_ node: YAMLNode) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            stack[top].pendingKey = node
            return
        }
        stack[top].pendingKey = nil
        if case .scalar(let scalar) = key {
            if let first = stack[top].keys[scalar.text] {
                diagnostics.error(
                    "duplicate key '\(scalar.text)' (first written at \(first)); each key appears once",
                    at: key.location, length: scalar.text.count)
                return
            }
            stack[top].keys[scalar.text] = scalar.location
        }
        stack[top].entries.append(YAMLEntry(key: key, value: node))
    }

    mutating func rememberName(_ anchor: String?, _ node: YAMLNode) {
        if let anchor { anchors[anchor] = node }
    }

    mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let location: SourceLocation
        if parser.error == YAML_READER_ERROR {
            location = file.location(ofByteOffset: Int(parser.problem_offset))
            let value = parser.problem_value
            let detail = value >= 0 ? String(format: " (byte 0x%02X)", Int(value)) : ""
            diagnostics.error("the file is not valid UTF-8 text: \(problem)\(detail)", at: location)
            return
        }
        location = SourceLocation(
            line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        var message = "invalid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextLocation = SourceLocation(
                line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            message += " (\(context) at \(contextLocation))"
        }
        if problem.hasPrefix("mapping values are not allowed") {
            message += "; a ': ' inside a value starts a YAML key: named arguments use '=', as in 'adam(lr=0.001)'"
        }
        if let line = file.line(location.line), line.contains("\t") {
            message += "; YAML indents with spaces, not tabs"
        }
        diagnostics.error(message, at: location)
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String {
        guard let pointer else { return "" }
        let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { string($0) }
    }

    func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
