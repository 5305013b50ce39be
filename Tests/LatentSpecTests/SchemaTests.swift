import Foundation
import LatentTestSupport
import XCTest
import Yams

@testable import LatentSpec

/// Keeps `Grammar/latent.schema.json`, the schema table and the decoder in agreement.
final class SchemaTests: XCTestCase {
    func testCheckedInSchemaIsTheGeneratedOne() {
        Golden.assertMatches(
            JSONSchemaWriter.write(), file: Repository.grammar.appendingPathComponent("latent.schema.json"))
    }

    /// Every spec in `Specs/` validates against the JSON Schema (with Python's jsonschema,
    /// the validator editors' tooling is tested against).
    func testSpecsValidateAgainstTheSchema() throws {
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft7Validator.check_schema(schema)
            validator = jsonschema.Draft7Validator(schema)
            bad = 0
            for path in sys.argv[2:]:
                for error in validator.iter_errors(yaml.safe_load(open(path))):
                    print(path, list(error.absolute_path), error.message); bad += 1
            unknown = {"latent": 1, "data": {"source": "x", "colour": 1}}
            if validator.is_valid(unknown): print("schema accepts an unknown key"); bad += 1
            sys.exit(1 if bad else 0)
            """
        let specs = try Repository.specFiles().map(\.path)
        XCTAssertGreaterThanOrEqual(specs.count, 12)
        let schema = Repository.grammar.appendingPathComponent("latent.schema.json").path
        let (status, text) = try Python.run(script, arguments: [schema] + specs)
        XCTAssertEqual(
            status, 0,
            "schema validation failed (needs python3 with jsonschema and PyYAML: apt-get install python3-jsonschema python3-yaml):\n\(text)"
        )
    }

    /// The decoder reads every field the schema declares: setting any field of any object
    /// in any example spec to a value of the wrong kind must produce an error at that value.
    /// (The reverse, that the decoder accepts no key outside the schema, holds because it
    /// reads mappings only through `MappingReader`; the unknown-key test below checks it.)
    func testTheDecoderReadsEveryFieldOfTheSchema() throws {
        var visited: Set<String> = []
        for url in try Repository.specFiles() {
            let root = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
            try walk(root, .object(SpecSchema.root), path: []) { object, path in
                for field in object.fields {
                    visited.insert("\(object.name).\(field.key)")
                    let broken = try set(root, at: path + [field.key], to: ["latent_test_marker": 1])
                    try assertErrorOnMarkerLine(broken, "\(url.lastPathComponent): \(object.name).\(field.key)")
                }
            }
        }
        var expected: Set<String> = []
        collectFields(.object(SpecSchema.root), into: &expected)
        XCTAssertEqual(expected.subtracting(visited), [], "fields no example spec exercises")
    }

    func testUnknownKeysAreRejectedInEveryObject() throws {
        for url in try Repository.specFiles() {
            let root = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
            try walk(root, .object(SpecSchema.root), path: []) { object, path in
                let broken = try set(root, at: path + ["latent_test_marker"], to: 1)
                let diagnostics = try decode(broken)
                XCTAssertTrue(
                    diagnostics.all.contains { $0.message.hasPrefix("unknown key 'latent_test_marker'") },
                    "\(url.lastPathComponent): \(object.name) accepted an unknown key")
            }
        }
    }

    // MARK: Helpers

    func decode(_ root: [String: Any]) throws -> DiagnosticList {
        let text = try Yams.dump(object: root)
        var diagnostics = DiagnosticList()
        _ = SpecDecoder.decode(SourceFile(path: "t.yaml", text: text), &diagnostics)
        return diagnostics
    }

    func assertErrorOnMarkerLine(_ root: [String: Any], _ what: String) throws {
        let text = try Yams.dump(object: root)
        let file = SourceFile(path: "t.yaml", text: text)
        var diagnostics = DiagnosticList()
        _ = SpecDecoder.decode(file, &diagnostics)
        let onMarker = diagnostics.all.contains { diagnostic in
            diagnostic.severity == .error
                && (file.line(diagnostic.location.line)?.contains("latent_test_marker") ?? false)
        }
        XCTAssertTrue(onMarker, "\(what): no error at the wrong value; got \(diagnostics.all.map(\.message))")
    }

    /// Calls `body` for every schema object present in the spec, with its path.
    func walk(
        _ value: Any, _ type: SchemaType, path: [String], _ body: (SchemaObject, [String]) throws -> Void
    ) throws {
        switch type {
        case .object(let object):
            guard let mapping = value as? [String: Any] else { return }
            try body(object, path)
            for field in object.fields {
                if let child = mapping[field.key] { try walk(child, field.type, path: path + [field.key], body) }
            }
        case .map(let valueType, _):
            guard let mapping = value as? [String: Any] else { return }
            for (key, child) in mapping { try walk(child, valueType, path: path + [key], body) }
        case .tagged(let tag, _):
            guard let mapping = value as? [String: Any], let kind = mapping[tag] as? String,
                let object = SpecSchema.variant(of: type, tag: kind)
            else { return }
            try walk(value, .object(object), path: path, body)
        default:
            return
        }
    }

    func collectFields(_ type: SchemaType, into names: inout Set<String>) {
        switch type {
        case .object(let object):
            for field in object.fields {
                names.insert("\(object.name).\(field.key)")
                collectFields(field.type, into: &names)
            }
        case .map(let value, _), .list(let value): collectFields(value, into: &names)
        case .choice(let types): for type in types { collectFields(type, into: &names) }
        case .tagged(_, let variants):
            for variant in variants {
                if let object = SpecSchema.variant(of: type, tag: variant.tag) {
                    collectFields(.object(object), into: &names)
                }
            }
        case .integer, .number, .boolean, .enumeration, .expression: break
        }
    }

    func set(_ root: [String: Any], at path: [String], to value: Any) throws -> [String: Any] {
        guard let key = path.first else { return root }
        var copy = root
        if path.count == 1 {
            copy[key] = value
        } else {
            let child = try XCTUnwrap(root[key] as? [String: Any], "no mapping at \(key)")
            copy[key] = try set(child, at: Array(path.dropFirst()), to: value)
        }
        return copy
    }
}
