/// Reads one YAML mapping against its schema object: unknown keys are reported with a
/// suggestion, missing required keys are reported, and typed values are read by key.
struct MappingReader {
    let object: SchemaObject
    /// Where the mapping is, for messages about missing keys.
    let location: SourceLocation
    /// How messages name this mapping ("network 'encoder'").
    let context: String
    private(set) var entries: [String: (key: YAMLScalar, value: YAMLNode)] = [:]

    /// Reads `node` as a mapping; reports and returns nil for any other kind of node.
    init?(_ node: YAMLNode, object: SchemaObject, context: String, diagnostics: inout DiagnosticList) {
        self.object = object
        self.context = context
        self.location = node.location
        guard case .mapping(let pairs, _) = node else {
            diagnostics.error("expected a mapping for \(context), found \(node.kindName)", at: node.location)
            return nil
        }
        var suggested: Set<String> = []
        for pair in pairs {
            guard case .scalar(let key) = pair.key else {
                diagnostics.error(
                    "keys of \(context) must be plain words, found \(pair.key.kindName)", at: pair.key.location)
                continue
            }
            // The tail of an expression a flow comma cut off ("1)" of "normal(0, 1)"): the
            // value before it already reports that mistake.
            if key.inFlow, key.text.contains(")") { continue }
            guard object.field(key.text) != nil else {
                let suggestion = diagnostics.unknown(
                    "key", key.located, among: object.fields.map(\.key), context: " in \(context)")
                if let suggestion { suggested.insert(suggestion) }
                continue
            }
            entries[key.text] = (key, pair.value)
        }
        for field in object.fields where field.required && entries[field.key] == nil && !suggested.contains(field.key) {
            diagnostics.error("\(context) is missing the required key '\(field.key)'", at: location)
        }
    }

    /// The value of a key, if present.
    func value(_ key: String) -> YAMLNode? {
        assert(object.field(key) != nil, "the decoder reads '\(key)', which the schema of \(context) lacks")
        return entries[key]?.value
    }

    /// The integer at a key, within the bounds its schema field gives (nil when absent or wrong).
    func integer(_ key: String, _ what: String, _ diagnostics: inout DiagnosticList) -> Located<Int>? {
        guard let node = value(key), let field = object.field(key) else { return nil }
        var type = field.type
        if case .choice(let types) = type, let integer = types.first(where: { if case .integer = $0 { true } else { false } }) {
            type = integer
        }
        return ScalarReader.integer(node, what, type, &diagnostics)
    }

    /// The key scalar itself (for locating messages about a key).
    func key(_ key: String) -> YAMLScalar? { entries[key]?.key }
}
