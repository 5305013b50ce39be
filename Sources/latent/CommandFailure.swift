import ArgumentParser
import Foundation

/// Why a command failed. Every failure carries its kind, and `Latent.main` alone turns it
/// into a message on standard error and the kind's exit code.
struct CommandFailure: Error, CustomStringConvertible {
    /// The documented exit codes.
    enum Kind: Int32, CaseIterable {
        /// A spec has errors (its diagnostics are printed).
        case spec = 1
        /// Bad options or arguments.
        case usage = 2
        /// A data file, checkpoint or run directory that is missing, malformed or cannot be written.
        case data = 3
        /// Training diverged: a loss or gradient became NaN or infinite.
        case numerical = 4
        /// The run would need more memory than the machine has (see --memory-limit).
        case resources = 5
        /// Stopped by Ctrl-C (SIGINT), after writing a checkpoint.
        case interrupted = 130
        /// Stopped by SIGTERM (timeout, Slurm, a container runtime), after writing a checkpoint.
        case terminated = 143
    }

    var kind: Kind
    /// The text after "error: "; empty when the failure was already reported (diagnostics).
    var message: String

    var description: String { message }

    static func spec(_ message: String = "") -> Self { Self(kind: .spec, message: message) }
    static func usage(_ message: String) -> Self { Self(kind: .usage, message: message) }
    static func data(_ message: String) -> Self { Self(kind: .data, message: message) }
    static func numerical(_ message: String) -> Self { Self(kind: .numerical, message: message) }
    static func resources(_ message: String) -> Self { Self(kind: .resources, message: message) }

    /// The exit-code table printed in `latent --help` and README.
    static let table = """
        Exit codes: 0 success, 1 a spec has errors, 2 usage errors (bad options or arguments), \
        3 data or I/O errors (missing or malformed data, checkpoints or run directories; a full disk), \
        4 training diverged (NaN or infinity), 5 not enough memory for the run, 130 interrupted by \
        Ctrl-C and 143 by SIGTERM (both after writing a checkpoint).
        """
}
