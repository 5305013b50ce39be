import Foundation
import XCTest

extension XCTestCase {
    /// Writes `bytes` to a fresh file in the temporary folder, removed when the test ends.
    public func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))-\(name)")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
