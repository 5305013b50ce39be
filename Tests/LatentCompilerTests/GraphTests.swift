import Foundation
import LatentCompiler
import LatentTestSupport
import XCTest

/// `latent graph`: DOT goldens for every spec, and every graph is valid Graphviz input.
final class GraphTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/graphs")

    func testGraphOfEverySpecIsGolden() throws {
        for url in try Repository.specFiles() {
            let dot = GraphWriter.dot(try PhaseGradientTests.compile(url))
            let name = url.deletingPathExtension().lastPathComponent
            Golden.assertMatches(dot, file: Self.folder.appendingPathComponent("\(name).dot.expected"))
            XCTAssertTrue(dot.contains("legend"), name)
        }
    }

    /// Graphviz accepts every graph (CI installs it; elsewhere the test is skipped without it).
    func testGraphvizRendersEveryGraph() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dot") else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("CI must have Graphviz (make deps installs it)")
            }
            throw XCTSkip("Graphviz is not installed (apt-get install graphviz)")
        }
        for url in try Repository.specFiles() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/dot")
            process.arguments = ["-Tsvg"]
            let input = Pipe()
            let output = Pipe()
            let error = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = error
            try process.run()
            input.fileHandleForWriting.write(Data(GraphWriter.dot(try PhaseGradientTests.compile(url)).utf8))
            try input.fileHandleForWriting.close()
            let svg = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problems = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(url.lastPathComponent): \(problems)")
            XCTAssertTrue(problems.isEmpty, "\(url.lastPathComponent): \(problems)")
            XCTAssertTrue(svg.contains("<svg"), url.lastPathComponent)
        }
    }
}
