import Foundation

/// Why an operation failed: its kind, and what to tell the user. Each kind is also the exit
/// code of the `latent` command line, which prints the message on standard error.
public struct LatentError: Error, CustomStringConvertible {
    /// The kinds of failure, with their documented exit codes.
    public enum Kind: Int32, CaseIterable, Sendable {
        /// A spec has errors (its diagnostics are the message).
        case spec = 1
        /// Bad options or arguments.
        case usage = 2
        /// A data file, checkpoint or run directory that is missing, malformed or cannot be written.
        case data = 3
        /// Training diverged: a loss or gradient became NaN or infinite.
        case numerical = 4
        /// The run would need more memory than the machine has (see `MemoryBudget.setLimit`).
        case resources = 5
        /// Stopped by Ctrl-C (SIGINT), after writing a checkpoint.
        case interrupted = 130
        /// Stopped by SIGTERM (timeout, Slurm, a container runtime), after writing a checkpoint.
        case terminated = 143
    }

    public var kind: Kind
    /// What went wrong; empty when it was already reported.
    public var message: String

    public var description: String { message }

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public static func spec(_ message: String = "") -> Self { Self(kind: .spec, message: message) }
    public static func usage(_ message: String) -> Self { Self(kind: .usage, message: message) }
    public static func data(_ message: String) -> Self { Self(kind: .data, message: message) }
    public static func numerical(_ message: String) -> Self { Self(kind: .numerical, message: message) }
    public static func resources(_ message: String) -> Self { Self(kind: .resources, message: message) }

    /// The exit-code table printed in `latent --help` and README.
    public static let table = """
        Exit codes: 0 success, 1 a spec has errors, 2 usage errors (bad options or arguments), \
        3 data or I/O errors (missing or malformed data, checkpoints or run directories; a full disk), \
        4 training diverged (NaN or infinity), 5 not enough memory for the run, 130 interrupted by \
        Ctrl-C and 143 by SIGTERM (both after writing a checkpoint).
        """
}
