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

    static func run(_ arguments: [String], executable: URL = url, environment: [String: String]? = nil) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
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

    /// `latent` (or `program`) as `processes` processes under Open MPI's mpirun (more than
    /// there are cores allowed; as root too, as CI runs), ended after `seconds` by timeout(1)
    /// (exit 124), so a job that hangs fails its test instead of stalling the suite.
    static func mpirun(
        processes: Int, _ arguments: [String], program: String = url.path, seconds: Int = 300
    ) throws -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        return try run(
            ["\(seconds)", "mpirun", "--oversubscribe", "-np", "\(processes)", program] + arguments,
            executable: URL(fileURLWithPath: "/usr/bin/timeout"), environment: environment)
    }
}
