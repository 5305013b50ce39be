import Foundation

/// Writes `SpecSchema` as a JSON Schema (draft-07) for editors such as yaml-language-server;
/// `Grammar/latent.schema.json` is this output, and a test keeps it so.
public enum JSONSchemaWriter {
    static let name = "[A-Za-z_][A-Za-z0-9_]*"

    public static func write() -> String {
        var root = object(SpecSchema.root)
        root["$schema"] = "http://json-schema.org/draft-07/schema#"
        root["title"] = "Latent model spec, format version 1"
        root["description"] =
            "A declarative spec of a latent-variable generative model. Strings such as priors, layers, statements and optimizers follow the expression grammar in Grammar/latent.ebnf."
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: options) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func object(_ object: SchemaObject) -> [String: Any] {
        var properties: [String: Any] = [:]
        for field in object.fields {
            var property = type(field.type)
            property["description"] = field.summary + grammarNote(field.type)
            properties[field.key] = property
        }
        var result: [String: Any] = [
            "type": "object", "description": object.summary, "properties": properties, "additionalProperties": false,
        ]
        let required = object.fields.filter(\.required).map(\.key)
        if !required.isEmpty { result["required"] = required }
        return result
    }

    static func grammarNote(_ type: SchemaType) -> String {
        switch type {
        case .expression(let rule, _): " Grammar rule '\(rule)' in Grammar/latent.ebnf."
        case .list(let item), .map(let item, _): grammarNote(item)
        default: ""
        }
    }

    static func type(_ type: SchemaType) -> [String: Any] {
        switch type {
        case .integer(let minimum, let maximum): return ["type": "integer", "minimum": minimum, "maximum": maximum]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .enumeration(let values): return ["type": "string", "enum": values]
        case .expression(_, let example): return ["type": "string", "examples": [example]]
        case .object(let schema): return object(schema)
        case .map(let value, let nameLists):
            let pattern = nameLists ? "^\(name)(\\s*,\\s*\(name))*$" : "^\(name)$"
            return ["type": "object", "additionalProperties": Self.type(value), "propertyNames": ["pattern": pattern]]
        case .list(let item): return ["type": "array", "items": Self.type(item)]
        case .choice(let types): return ["anyOf": types.map(Self.type)]
        case .tagged(let tag, let variants):
            return [
                "type": "object", "required": [tag],
                "properties": [tag: ["type": "string", "enum": variants.map(\.tag)]],
                "oneOf": variants.compactMap { variant in
                    SpecSchema.variant(of: type, tag: variant.tag).map { schema in
                        var result = object(schema)
                        var properties = result["properties"] as? [String: Any] ?? [:]
                        properties[tag] = ["const": variant.tag, "description": "The kind of objective."]
                        result["properties"] = properties
                        return result
                    }
                },
            ]
        }
    }
}
