import Foundation
import LatentCompiler
import LatentSpec
import LatentTestSupport
import XCTest

/// The golden corpus of invalid specs: each file holds one mistake, and its diagnostics
/// (text and JSON) are checked in beside it. Re-record with `LATENT_RECORD=1 swift test`.
final class InvalidSpecTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/invalid")

    func testEveryInvalidSpecGivesItsExpectedDiagnostics() throws {
        let specs = try Repository.files(in: Self.folder, withExtension: "yaml")
        XCTAssertGreaterThanOrEqual(specs.count, 40)
        for url in specs {
            let name = url.lastPathComponent
            let file = try SourceFile.read(path: url.path)
            let relative = SourceFile(path: "invalid/\(name)", bytes: file.bytes)
            let diagnostics = Checker.check(relative).diagnostics.sorted
            let errors = diagnostics.filter { $0.severity == .error }
            if name.hasPrefix("warning-") {
                XCTAssertEqual(errors.count, 0, "\(name) should be valid with a warning")
                XCTAssertGreaterThanOrEqual(diagnostics.count, 1, "\(name) should warn")
            } else {
                XCTAssertEqual(
                    errors.count, 1, "\(name) holds one mistake, so it reports one error: \(errors.map(\.message))")
            }
            let text = DiagnosticRenderer.text(diagnostics, in: relative)
            Golden.assertMatches(text, file: url.appendingPathExtension("expected"))
            let json = DiagnosticRenderer.json(diagnostics.map { DiagnosticRenderer.Record($0, file: relative.path) })
            Golden.assertMatches(json, file: url.appendingPathExtension("expected.json"))
        }
    }

    /// Every golden file belongs to a spec that still exists (no stale expectations).
    func testNoOrphanGoldenFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
        let specs = Set(names.filter { $0.hasSuffix(".yaml") })
        for name in names where !name.hasSuffix(".yaml") {
            let spec = name.replacingOccurrences(of: ".expected.json", with: "").replacingOccurrences(
                of: ".expected", with: "")
            XCTAssertTrue(specs.contains(spec), "\(name) has no spec")
        }
    }
}
