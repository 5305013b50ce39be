import Foundation
import LatentCompiler
import LatentSpec
import LatentTestSupport
import XCTest

/// No input makes the checker trap: mutated example specs and hostile inputs all end in
/// diagnostics. (A trap would crash this test process, failing the suite.)
final class RobustnessTests: XCTestCase {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testMutatedSpecsNeverTrap() throws {
        var random = SplitMix64(state: 42)
        let pieces: [[UInt8]] = [
            ":", "[", "]", "(", ")", "=", "~", ",", "-", "\t", "\n", "\"", "'", "&a", "*a", "{", "#", "0", "-1",
            "1e999", "\u{0}", "é",
        ].map { Array($0.utf8) }
        var checked = 0
        for url in try Repository.specFiles() {
            let original = try SourceFile.read(path: url.path).bytes
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: bytes.remove(at: position)
                    case 1: bytes.insert(contentsOf: pieces.randomElement(using: &random) ?? [], at: position)
                    case 2: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    default:
                        let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                        bytes.removeSubrange(position..<end)
                    }
                    if bytes.isEmpty { bytes = [0x20] }
                }
                let (model, diagnostics) = Checker.check(SourceFile(path: "fuzz.yaml", bytes: bytes))
                if model == nil {
                    XCTAssertTrue(
                        diagnostics.hasErrors, "no model but no error for a mutation of \(url.lastPathComponent)")
                }
                for diagnostic in diagnostics.all {
                    XCTAssertGreaterThanOrEqual(diagnostic.location.line, 1)
                    XCTAssertGreaterThanOrEqual(diagnostic.location.column, 1)
                }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 1500)
    }

    func testHostileInputs() {
        let inputs: [(String, [UInt8])] = [
            ("empty", []),
            ("only spaces", Array("   \n\n  ".utf8)),
            ("binary garbage", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }),
            ("NUL bytes", Array("latent: 1\u{0}\ndata:\u{0}".utf8)),
            ("a scalar", Array("42".utf8)),
            ("null root", Array("~".utf8)),
            (
                "huge numbers",
                Array("latent: 99999999999999999999999999\ntraining:\n  batch: -99999999999999999999\n".utf8)
            ),
            ("huge layer", Array("latent: 1\nnetworks:\n  a:\n    layers: [dense 1e308 relu]\n".utf8)),
            (
                "deep flow",
                Array((String(repeating: "{a: ", count: 5000) + "1" + String(repeating: "}", count: 5000)).utf8)
            ),
            (
                "deep expression",
                Array(("latent: 1\nlatents:\n  z:\n    prior: " + String(repeating: "normal(", count: 3000)).utf8)
            ),
            ("BOM", [0xEF, 0xBB, 0xBF] + Array("latent: 1\n".utf8)),
            ("UTF-16", Array("latent: 1\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
            ("CRLF", Array("latent: 1\r\ndata:\r\n  source: fashion-mnist\r\n".utf8)),
            ("mapping keys", Array("? [a, b]\n: 1\n{x: 1}: 2\n".utf8)),
            (
                "many errors",
                Array(("latent: 1\nnetworks:\n" + (0..<5000).map { "  n\($0):\n    layers: [bogus]\n" }.joined()).utf8)
            ),
        ]
        for (name, bytes) in inputs {
            let (model, diagnostics) = Checker.check(SourceFile(path: "\(name).yaml", bytes: bytes))
            XCTAssertNil(model, name)
            XCTAssertTrue(diagnostics.hasErrors, name)
            XCTAssertLessThanOrEqual(diagnostics.errorCount, DiagnosticList.maximumErrors, name)
        }
    }
}
