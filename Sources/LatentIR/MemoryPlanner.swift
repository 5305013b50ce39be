/// Where each value of a phase lives in one arena, for a given batch size: values whose
/// lifetimes overlap never share bytes, except a reshape, which is its operand's bytes
/// under another type; dead values' bytes are reused.
public struct MemoryPlan: Hashable, Sendable {
    public static let alignment = 64

    public var batch: Int
    public var samples: Int
    /// Byte offset of each value in the arena; nil for values held elsewhere (parameters,
    /// data, labels).
    public var offsets: [Int?]
    /// Bytes each value needs (float32).
    public var sizes: [Int]
    /// The instructions from a value's definition to its last read (outputs: the end).
    public var lifetimes: [ClosedRange<Int>]
    /// The value whose bytes each value is: itself, or for a reshape of an arena value, that
    /// value's (its lifetime then covers the reshape's).
    public var storage: [Int]
    public var arenaBytes: Int

    /// What the arena would need with no reuse: every value its own bytes.
    public var unplannedBytes: Int {
        offsets.indices.reduce(0) { $0 + (offsets[$1] == nil || storage[$1] != $1 ? 0 : aligned(sizes[$1])) }
    }

    /// Every violation of the plan's promise: two live values sharing bytes (other than a
    /// reshape and the value it views), or a value outside the arena. Empty for a valid plan.
    public func violations() -> [String] {
        var problems: [String] = []
        let placed = offsets.indices.filter { offsets[$0] != nil }
        for (position, a) in placed.enumerated() {
            let start = offsets[a] ?? 0
            if start < 0 || start + sizes[a] > arenaBytes || start % Self.alignment != 0 {
                problems.append(
                    "%\(a) at \(start) (+\(sizes[a])) lies outside the \(arenaBytes)-byte arena or is misaligned")
            }
            for b in placed[(position + 1)...] where lifetimes[a].overlaps(lifetimes[b]) && storage[a] != storage[b] {
                let other = offsets[b] ?? 0
                if start < other + sizes[b] && other < start + sizes[a] {
                    problems.append("%\(a) and %\(b) are live together and share bytes")
                }
            }
        }
        return problems
    }
}

func aligned(_ bytes: Int) -> Int { (bytes + MemoryPlan.alignment - 1) / MemoryPlan.alignment * MemoryPlan.alignment }

/// Plans a phase's arena: lifetimes from the tape, then the largest values first, each at
/// the lowest aligned offset free of every value it is live with (greedy first fit). A
/// reshape of an arena value takes that value's place, whose lifetime grows to cover it;
/// gathered patches take no place, and their image lives as long as they are read.
public enum MemoryPlanner {
    public static func run<T: Tape>(_ phase: T, batch: Int, samples: Int) -> T {
        var result = phase
        result.plan = plan(phase, batch: batch, samples: samples)
        return result
    }

    public static func plan(_ phase: some Tape, batch: Int, samples: Int) -> MemoryPlan {
        let count = phase.instructions.count
        var lastUse = Array(0..<count)
        for (index, instruction) in phase.instructions.enumerated() {
            for operand in instruction.op.operands { lastUse[operand.index] = max(lastUse[operand.index], index) }
        }
        for output in phase.outputs { lastUse[output.index] = count }
        let sizes = phase.instructions.map { 4 * $0.type.count(batch: batch, samples: samples) }
        var offsets = [Int?](repeating: nil, count: count)
        let inArena = (0..<count).map { index in
            let op = phase.instructions[index].op
            if case .input = op { return false }
            if case .gatheredPatches = op { return false }
            return !op.isParameterValue
        }
        // Patches gathered by their readers need the image until the last of them.
        for (index, instruction) in phase.instructions.enumerated() {
            guard case .gatheredPatches(let image, _) = instruction.op else { continue }
            lastUse[image.index] = max(lastUse[image.index], lastUse[index])
        }
        var storage = Array(0..<count)
        for (index, instruction) in phase.instructions.enumerated() {
            guard case .reshape(let source) = instruction.op, inArena[source.index] else { continue }
            storage[index] = storage[source.index]
            lastUse[storage[index]] = max(lastUse[storage[index]], lastUse[index])
        }
        let lifetimes = (0..<count).map { $0...lastUse[storage[$0]] }
        let placed = (0..<count).filter { inArena[$0] && storage[$0] == $0 }
        var arena = 0
        for value in placed.sorted(by: { (sizes[$0], -$0) > (sizes[$1], -$1) }) {
            let busy = placed.compactMap { other -> ClosedRange<Int>? in
                guard let start = offsets[other], lifetimes[other].overlaps(lifetimes[value]) else { return nil }
                return start...(start + aligned(sizes[other]) - 1)
            }.sorted { $0.lowerBound < $1.lowerBound }
            var offset = 0
            for range in busy where range.lowerBound < offset + aligned(sizes[value]) {
                if range.upperBound >= offset { offset = aligned(range.upperBound + 1) }
            }
            offsets[value] = offset
            arena = max(arena, offset + aligned(sizes[value]))
        }
        for index in 0..<count where inArena[index] && storage[index] != index { offsets[index] = offsets[storage[index]] }
        return MemoryPlan(
            batch: batch, samples: samples, offsets: offsets, sizes: sizes, lifetimes: lifetimes, storage: storage,
            arenaBytes: arena)
    }
}
