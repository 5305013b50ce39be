import Foundation
import LatentData
import LatentIR
import Synchronization

/// How many bytes a piece of work may take, and the estimates that are compared with it
/// before anything large is allocated: a run that cannot fit is refused with the sizes
/// that make it up, instead of aborting in the allocator.
public enum MemoryBudget {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A limit set by the user (`--memory-limit`); 0 means none.
    static let override = Atomic<Int>(0)

    /// Sets the limit in bytes (`--memory-limit`), replacing the machine's available memory.
    public static func setLimit(_ bytes: Int) { override.store(bytes, ordering: .relaxed) }

    /// The bytes work may use: the user's limit, else the memory Linux reports available
    /// (MemAvailable), else the physical memory.
    public static var limit: Int {
        let set = override.load(ordering: .relaxed)
        if set > 0 { return set }
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            return kilobytes * 1024
        }
        return Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }

    /// Throws unless `parts` (what each is, and its bytes; nil for a size too large to
    /// count) fit the limit together.
    public static func require(_ parts: [(what: String, bytes: Int?)], for purpose: String) throws(Failure) {
        let total = Sizes.sum(parts.map { $0.bytes ?? -1 })
        let limit = limit
        if let total, total <= limit { return }
        let listed = parts.map { "\($0.what) \(format($0.bytes))" }.joined(separator: ", ")
        throw Failure(
            description:
                "\(purpose) needs \(format(total)) (\(listed)), but \(format(limit)) is available; ask for less (networks, batch, data, samples), or set --memory-limit if the machine really has more"
        )
    }

    /// The bytes a trainer of `program` (its step planned) takes: parameters, the optimizer
    /// moments of every slot, and the step's arena and input buffers.
    /// `shards`: how many executables of the step this process binds (a data-parallel run's
    /// local shards, each with its own arena).
    public static func training(_ program: Program, shards: Int = 1) -> [(what: String, bytes: Int?)] {
        let counts = program.parameters.map { Sizes.product($0.shape) }
        let parameters = Sizes.sum(counts.map { $0 ?? -1 })
        let slots = program.step?.slots ?? []
        let moments = Sizes.sum(slots.map { counts[$0.parameter].map { 2 * $0 } ?? -1 })
        return [
            ("parameters", parameters.flatMap { Sizes.product([$0, 4]) }),
            ("optimizer moments", moments.flatMap { Sizes.product([$0, 4]) }),
            ("arena", program.step.flatMap { execution([$0]) }.flatMap { Sizes.product([$0, shards]) }),
        ]
    }

    /// The bytes executables of planned tapes take: arenas and input buffers.
    public static func execution(_ tapes: [some Tape]) -> Int? {
        Sizes.sum(
            tapes.map { phase in
                guard let plan = phase.plan else { return 0 }
                let inputs = phase.inputs.map {
                    Sizes.product($0.type.sizes(batch: plan.batch, samples: plan.samples)).flatMap {
                        Sizes.product([$0, 4])
                    } ?? -1
                }
                return Sizes.sum([plan.arenaBytes] + inputs) ?? -1
            })
    }

    /// "1.5 GB", "12 MB", "800 bytes"; "more than can be counted" for nil.
    static func format(_ bytes: Int?) -> String {
        guard let bytes else { return "more than can be counted" }
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        for (size, name) in units where Double(bytes) >= size {
            return String(format: "%.1f %@", Double(bytes) / size, name)
        }
        return "\(bytes) bytes"
    }
}
