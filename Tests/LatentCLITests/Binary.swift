import Foundation

/// The `latent` binary SwiftPM built next to the test bundle, run as a user runs it.
enum Binary {
    struct Run {
        var status: Int32
        var signalled: Bool
        var output: String
        var error: String
    }

    static let url = Bundle.main.bundleURL.appendingPathComponent("latent")

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }
}
