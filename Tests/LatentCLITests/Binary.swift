import Foundation
import LatentTestSupport

/// The `latent` binary SwiftPM built next to the test bundle, run as a user runs it.
enum Binary {
    typealias Run = Subprocess.Result

    static let url = Bundle.main.bundleURL.appendingPathComponent("latent")

    static func run(_ arguments: [String], executable: URL = url, environment: [String: String]? = nil) throws -> Run {
        try Subprocess.run(executable, arguments, environment: environment)
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
