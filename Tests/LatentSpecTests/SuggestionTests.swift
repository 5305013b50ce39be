import XCTest

@testable import LatentSpec

final class SuggestionTests: XCTestCase {
    func testEditDistanceCountsTranspositionsAsOneEdit() {
        XCTAssertEqual(Suggestion.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.editDistance("adma", "adam"), 1)
        XCTAssertEqual(Suggestion.editDistance("", "abc"), 3)
        XCTAssertEqual(Suggestion.editDistance("same", "same"), 0)
    }

    func testSuggestsOnlyPlausibleMisspellings() {
        XCTAssertEqual(Suggestion.closest(to: "activaton", in: ["activation", "layers"]), "activation")
        XCTAssertEqual(Suggestion.closest(to: "decodr", in: ["encoder", "decoder", "D"]), "decoder")
        XCTAssertEqual(Suggestion.closest(to: "Relu", in: ["relu", "elu"]), "relu")
        XCTAssertNil(Suggestion.closest(to: "banana", in: ["layers", "init"]))
        XCTAssertNil(Suggestion.closest(to: "relu", in: ["relu"]), "an exact match needs no suggestion")
    }

    func testDiagnosticListCapsErrors() {
        var list = DiagnosticList()
        for index in 0..<500 { list.error("e\(index)", at: .start) }
        XCTAssertEqual(list.errorCount, DiagnosticList.maximumErrors)
        XCTAssertEqual(list.all.last?.severity, .note)
        XCTAssertEqual(list.all.count, DiagnosticList.maximumErrors + 1)
    }
}
