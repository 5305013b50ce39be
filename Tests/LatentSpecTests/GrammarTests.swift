import LatentTestSupport
import XCTest

@testable import LatentSpec

/// Keeps `Grammar/latent.ebnf` and the parser in agreement: every example in the grammar
/// parses and means something with its start symbol, and every start symbol a spec field
/// names is a rule of the grammar.
final class GrammarTests: XCTestCase {
    var grammar: String {
        get throws { try String(contentsOf: Repository.grammar.appendingPathComponent("latent.ebnf"), encoding: .utf8) }
    }

    /// `(* example RULE: TEXT *)` lines.
    func examples() throws -> [(rule: String, text: String)] {
        try grammar.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("(* example "), line.hasSuffix(" *)") else { return nil }
            let body = line.dropFirst("(* example ".count).dropLast(3)
            guard let colon = body.firstIndex(of: ":") else { return nil }
            return (
                String(body[..<colon]), String(body[body.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
    }

    func testEveryExampleParsesAndInterprets() throws {
        let examples = try examples()
        XCTAssertGreaterThanOrEqual(examples.count, 25)
        for (rule, text) in examples {
            var diagnostics = DiagnosticList()
            let scalar = YAMLScalar(text: text, style: .plain, location: .start)
            let meaning: Any?
            switch rule {
            case "statement": meaning = Statement.interpret(scalar, &diagnostics)
            case "layer": meaning = Layer.interpret(scalar, &diagnostics)
            case "call": meaning = NetworkCall.interpret(.scalar(scalar), role: "a call", &diagnostics)
            default:
                let expression = ScalarReader.expression(.scalar(scalar), rule, &diagnostics)
                switch rule {
                case "distribution": meaning = expression.flatMap { Distribution.interpret($0, &diagnostics) }
                case "optimizer": meaning = expression.flatMap { Optimizer.interpret($0, &diagnostics) }
                case "source": meaning = expression.flatMap { DataSource.interpret($0, &diagnostics) }
                default:
                    meaning = nil
                    XCTFail("example of unknown start symbol '\(rule)'")
                }
            }
            XCTAssertNotNil(meaning, "\(rule): \(text) -> \(diagnostics.all.map(\.message))")
            XCTAssertTrue(diagnostics.all.isEmpty, "\(rule): \(text) -> \(diagnostics.all.map(\.message))")
        }
    }

    func testEveryStartSymbolIsARuleWithExamples() throws {
        let grammar = try grammar
        let rules = Set(
            grammar.components(separatedBy: "\n").compactMap { line -> String? in
                let parts = line.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let name = parts.first?.trimmingCharacters(in: .whitespaces),
                    name.allSatisfy({ $0.isLetter || $0 == "_" }), !name.isEmpty
                else { return nil }
                return name
            })
        let exampleRules = Set(try examples().map(\.rule))
        for rule in Self.startSymbols(of: .object(SpecSchema.root)) {
            XCTAssertTrue(rules.contains(rule), "the schema names grammar rule '\(rule)', which latent.ebnf lacks")
            XCTAssertTrue(exampleRules.contains(rule), "grammar rule '\(rule)' has no example")
        }
    }

    static func startSymbols(of type: SchemaType) -> Set<String> {
        switch type {
        case .expression(let rule, _): [rule]
        case .object(let object): object.fields.reduce(into: []) { $0.formUnion(startSymbols(of: $1.type)) }
        case .map(let value, _), .list(let value): startSymbols(of: value)
        case .choice(let types): types.reduce(into: []) { $0.formUnion(startSymbols(of: $1)) }
        case .tagged(_, let variants): variants.reduce(into: []) { $0.formUnion(startSymbols(of: .object($1.object))) }
        case .integer, .number, .boolean, .enumeration: []
        }
    }
}
