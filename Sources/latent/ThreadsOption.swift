import ArgumentParser
import Foundation

/// `--threads`, for every command that runs kernels.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads for the kernels (default: every core). Results are the same for any count.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// "1 thread", "2 threads".
    var phrase: String { "\(threads) thread\(threads == 1 ? "" : "s")" }
}
