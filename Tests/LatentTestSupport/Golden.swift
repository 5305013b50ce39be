import Foundation
import XCTest

/// Where the repository's folders are, found from this file's location.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let specs = root.appendingPathComponent("Specs")
    public static let grammar = root.appendingPathComponent("Grammar")

    /// The example specs in `Specs/`, sorted by name.
    public static func specFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: specs, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The files of a folder with an extension, sorted by name.
    public static func files(in folder: URL, withExtension ext: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// Golden-file comparison: the expected text lives in a checked-in file; run the tests
/// with `LATENT_RECORD=1` to write the actual text there instead (then read the diff).
public enum Golden {
    public static var isRecording: Bool { ProcessInfo.processInfo.environment["LATENT_RECORD"] == "1" }

    public static func assertMatches(
        _ actual: String, file expected: URL, file testFile: StaticString = #filePath, line: UInt = #line
    ) {
        if isRecording {
            try? FileManager.default.createDirectory(
                at: expected.deletingLastPathComponent(), withIntermediateDirectories: true)
            XCTAssertNoThrow(
                try actual.write(to: expected, atomically: true, encoding: .utf8), file: testFile, line: line)
            return
        }
        guard let text = try? String(contentsOf: expected, encoding: .utf8) else {
            XCTFail(
                "missing golden file \(expected.path); record it with LATENT_RECORD=1 swift test", file: testFile,
                line: line)
            return
        }
        if text != actual {
            XCTFail(
                "\(expected.lastPathComponent) differs from the output (re-record with LATENT_RECORD=1 and read the diff):\n"
                    + firstDifference(expected: text, actual: actual), file: testFile, line: line)
        }
    }

    /// The first line that differs, for a readable failure.
    static func firstDifference(expected: String, actual: String) -> String {
        let expectedLines = expected.components(separatedBy: "\n")
        let actualLines = actual.components(separatedBy: "\n")
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let wanted = index < expectedLines.count ? expectedLines[index] : "<end of file>"
            let got = index < actualLines.count ? actualLines[index] : "<end of file>"
            if wanted != got { return "line \(index + 1):\n  expected: \(wanted)\n  actual:   \(got)" }
        }
        return "(no line differs; line endings?)"
    }
}
