import XCTest

@testable import LatentSpec

final class ExpressionParserTests: XCTestCase {
    func scalar(_ text: String, line: Int = 3, column: Int = 10) -> YAMLScalar {
        YAMLScalar(text: text, style: .plain, location: SourceLocation(line: line, column: column))
    }

    func testCallWithPositionalAndNamedArguments() throws {
        let parsed = try ExpressionParser.expression(scalar("adam(0.001, beta1=0.5, eps=1e-8)"))
        guard case .call(let callee, let arguments) = parsed.value else {
            return XCTFail("not a call: \(parsed.value)")
        }
        XCTAssertEqual(callee.value, "adam")
        XCTAssertEqual(arguments.map { $0.label?.value }, [nil, "beta1", "eps"])
        XCTAssertEqual(arguments.map(\.value.value), [.number(0.001), .number(0.5), .number(1e-8)])
        XCTAssertEqual(arguments[1].label?.location, SourceLocation(line: 3, column: 22))
    }

    func testNestedCallsListsStringsAndHyphenatedNames() throws {
        let parsed = try ExpressionParser.expression(
            scalar(#"mixture(normal([0, -1.5], 2), weights=[0.3, 0.7], src="a b.npy", d=fashion-mnist)"#))
        XCTAssertEqual(
            parsed.value.description,
            #"mixture(normal([0, -1.5], 2), weights=[0.3, 0.7], src="a b.npy", d=fashion-mnist)"#)
    }

    func testStatementsOfBothKinds() throws {
        let draw = try ExpressionParser.statement(scalar("x ~ bernoulli(logits=decoder(z))"))
        XCTAssertEqual(draw.target.value, "x")
        XCTAssertEqual(draw.op, .sample)
        XCTAssertEqual(draw.value.value.description, "bernoulli(logits=decoder(z))")
        let map = try ExpressionParser.statement(scalar("z = encoder(x, eps)"))
        XCTAssertEqual(map.op, .assign)
        XCTAssertEqual(map.value.location, SourceLocation(line: 3, column: 14))
    }

    func testLayerShorthand() throws {
        let layer = try ExpressionParser.layer(scalar("dense 256 leaky_relu(0.1)"))
        XCTAssertEqual(layer.kind.value, "dense")
        XCTAssertEqual(layer.arguments.map(\.value), [.number(256)])
        XCTAssertEqual(layer.activation?.value.description, "leaky_relu(0.1)")
        XCTAssertNil(try ExpressionParser.layer(scalar("dense 10")).activation)
    }

    func testConvolutionLayerShorthand() throws {
        let layer = try ExpressionParser.layer(scalar("conv 64 4x4 stride 2 pad 1 leaky_relu(0.2)"))
        XCTAssertEqual(layer.kind.value, "conv")
        XCTAssertEqual(layer.arguments.map(\.value), [.number(64), .size(4, 4)])
        XCTAssertEqual(layer.options.map(\.keyword.value), ["stride", "pad"])
        XCTAssertEqual(layer.options.map(\.value.value), [2, 1])
        XCTAssertEqual(layer.options[1].value.location.column - layer.options[1].keyword.location.column, 4)
        XCTAssertEqual(layer.activation?.value.description, "leaky_relu(0.2)")
        let reshape = try ExpressionParser.layer(scalar("reshape [64, 7, 7]"))
        guard case .list(let items) = reshape.arguments.first?.value else { return XCTFail("no list") }
        XCTAssertEqual(items.map(\.value), [.number(64), .number(7), .number(7)])
    }

    /// Each malformed input fails with a message and the exact column of the culprit.
    func testErrorsPointAtTheOffendingToken() {
        let cases: [(String, Int, String)] = [
            ("adam(lr: 0.001)", 17, "named arguments use '='"),
            ("normal(0, 1", 21, "expected ',' or ')'"),
            ("normal(0,, 1)", 19, "expected a name, a number"),
            ("dense 5y2 relu", 16, "'5y2' is not a number"),
            ("conv 8 4x4 dilation 2", 21, "unknown layer option 'dilation'"),
            ("conv 8 4x4 stride relu", 28, "'stride' needs a number after it"),
            ("1.2.3", 10, "'1.2.3' is not a number"),
            ("npy(\"x.npy)", 14, "no closing"),
            ("normal(0, 1) extra", 23, "unexpected 'extra'"),
            ("z gaussian(encoder(x))", 12, "expected '~'"),
            ("a $ b", 12, "unexpected character '$'"),
            ("1e999", 10, "is not a number"),
        ]
        for (text, column, message) in cases {
            do {
                if text.hasPrefix("z ") {
                    _ = try ExpressionParser.statement(scalar(text))
                } else if text.hasPrefix("dense") || text.hasPrefix("conv") {
                    _ = try ExpressionParser.layer(scalar(text))
                } else {
                    _ = try ExpressionParser.expression(scalar(text))
                }
                XCTFail("'\(text)' parsed")
            } catch {
                XCTAssertEqual(error.location, SourceLocation(line: 3, column: column), text)
                XCTAssertTrue(error.message.contains(message), "'\(text)': \(error.message)")
            }
        }
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "f(", count: 10_000) + "x" + String(repeating: ")", count: 10_000)
        XCTAssertThrowsError(try ExpressionParser.expression(scalar(deep))) { error in
            XCTAssertTrue((error as? ExpressionParser.Failure)?.message.contains("nests more than") ?? false)
        }
    }

    func testQuotedScalarsShiftColumnsByTheQuote() throws {
        let quoted = YAMLScalar(
            text: "normal(0, -1)", style: .singleQuoted, location: SourceLocation(line: 1, column: 8))
        let parsed = try ExpressionParser.expression(quoted)
        guard case .call(_, let arguments) = parsed.value else { return XCTFail() }
        XCTAssertEqual(arguments[1].value.location, SourceLocation(line: 1, column: 19))
    }
}
