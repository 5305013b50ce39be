import XCTest

@testable import LatentSpec

final class YAMLComposerTests: XCTestCase {
    func compose(_ text: String) -> (YAMLNode?, [Diagnostic]) {
        var diagnostics = DiagnosticList()
        let node = YAMLComposer.compose(SourceFile(path: "t.yaml", text: text), into: &diagnostics)
        return (node, diagnostics.all)
    }

    func testMarksAreOneBasedLinesAndColumns() throws {
        let (node, diagnostics) = compose("a:\n  b: [1, 'two']\n")
        XCTAssertEqual(diagnostics, [])
        guard case .mapping(let outer, _) = try XCTUnwrap(node), case .mapping(let inner, _) = outer[0].value,
            case .sequence(let items, _) = inner[0].value, case .scalar(let two) = items[1]
        else { return XCTFail("unexpected tree") }
        XCTAssertEqual(two.text, "two")
        XCTAssertEqual(two.style, .singleQuoted)
        XCTAssertEqual(two.location, SourceLocation(line: 2, column: 10))
        XCTAssertEqual(two.contentLocation, SourceLocation(line: 2, column: 11))
    }

    /// Every duplicate key is reported (not just the first), pointing at the repeat and
    /// naming the first; composition goes on so that later mistakes are found too.
    func testEveryDuplicateKeyIsReportedWithTheFirstPlace() {
        let (_, diagnostics) = compose("a: 1\nb: 2\na: 3\nc:\n  d: 1\n  d: 2\n")
        XCTAssertEqual(
            diagnostics.map(\.message),
            [
                "duplicate key 'a' (first written at 1:1); each key appears once",
                "duplicate key 'd' (first written at 5:3); each key appears once",
            ])
        XCTAssertEqual(
            diagnostics.map(\.location), [SourceLocation(line: 3, column: 1), SourceLocation(line: 6, column: 3)])
    }

    func testAliasesResolveToTheAnchoredNode() throws {
        let (node, diagnostics) = compose("base: &opt adam(lr=0.1)\nother: *opt\n")
        XCTAssertEqual(diagnostics, [])
        guard case .mapping(let entries, _) = try XCTUnwrap(node), case .scalar(let copy) = entries[1].value else {
            return XCTFail("unexpected tree")
        }
        XCTAssertEqual(copy.text, "adam(lr=0.1)")
    }

    /// A "billion laughs" document stays small: aliases share nodes instead of copying text.
    func testNestedAliasesDoNotExplode() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...30 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let (node, diagnostics) = compose(text)
        XCTAssertNotNil(node)
        XCTAssertEqual(diagnostics, [])
    }

    func testDeepNestingIsAnErrorNotAStackOverflow() {
        let (node, diagnostics) = compose(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        XCTAssertNil(node)
        XCTAssertEqual(
            diagnostics.map(\.message), ["the YAML nests more than 64 levels deep; a spec needs at most a few"])
        XCTAssertEqual(diagnostics.first?.location, SourceLocation(line: 1, column: 65))
        // Far deeper input is stopped by libyaml's own limit, also as an error.
        let (huge, hugeDiagnostics) = compose(String(repeating: "[", count: 200_000))
        XCTAssertNil(huge)
        XCTAssertEqual(hugeDiagnostics.count, 1)
    }

    func testSyntaxErrorsCarryTheirPlaceAndHints() {
        let (_, tab) = compose("a:\n\tb: 1\n")
        XCTAssertEqual(tab.first?.location.line, 2)
        XCTAssertTrue(tab.first?.message.contains("not tabs") ?? false, "\(tab)")
        let (_, colon) = compose("training:\n  optimizers:\n    encoder: adam(lr: 0.1)\n")
        XCTAssertEqual(colon.first?.location, SourceLocation(line: 3, column: 21))
        XCTAssertTrue(colon.first?.message.contains("named arguments use '='") ?? false, "\(colon)")
    }

    func testInvalidUTF8IsLocated() {
        var diagnostics = DiagnosticList()
        let bytes = Array("a: 1\nb: ".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        XCTAssertNil(YAMLComposer.compose(SourceFile(path: "t", bytes: bytes), into: &diagnostics))
        XCTAssertEqual(diagnostics.all.first?.location, SourceLocation(line: 2, column: 4))
        XCTAssertTrue(diagnostics.all.first?.message.contains("not valid UTF-8") ?? false)
    }

    func testOnlyOneDocument() {
        let (_, diagnostics) = compose("a: 1\n---\nb: 2\n")
        XCTAssertEqual(diagnostics.first?.location.line, 2)
    }

    func testUndefinedAliasIsReported() {
        let (_, diagnostics) = compose("a: *missing\n")
        XCTAssertTrue(diagnostics.first?.message.contains("'*missing'") ?? false, "\(diagnostics)")
    }
}
