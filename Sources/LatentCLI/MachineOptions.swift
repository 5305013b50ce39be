import ArgumentParser
import Foundation
import LatentRuntime

/// `--threads` and `--memory-limit`, for every command that runs kernels.
struct MachineOptions: ParsableArguments {
    @Option(
        help:
            "Threads for the kernels (1-256; default: every core, shared between the processes mpirun starts on one machine). Results are the same for any count."
    )
    var threads: Int = max(
        1,
        ProcessInfo.processInfo.activeProcessorCount
            / max(1, ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1))

    @Option(
        help: ArgumentHelp(
            "The memory a run may use, as bytes or with K, M, G or T (default: what the system reports available).",
            discussion: "Work that would need more is refused before it starts, with what makes up its size.",
            valueName: "size"))
    var memoryLimit: String?

    func validate() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256, found \(threads)") }
        if let memoryLimit, Self.bytes(memoryLimit) == nil {
            throw ValidationError("--memory-limit takes a size such as 8G, 512M or 1000000, found '\(memoryLimit)'")
        }
    }

    /// Applies the memory limit (called once, before any work).
    func apply() {
        if let bytes = memoryLimit.flatMap(Self.bytes) { MemoryBudget.setLimit(bytes) }
    }

    /// "1 thread", "2 threads".
    var phrase: String { "\(threads) thread\(threads == 1 ? "" : "s")" }

    /// Bytes of a size written as a whole number with an optional K, M, G or T (powers of 1024).
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = Substring(text.uppercased())
        if digits.last == "B" { digits = digits.dropLast() }
        var shift = 0
        if let last = digits.last, let unit = units[last] {
            shift = unit
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max >> shift else { return nil }
        return value << shift
    }
}
