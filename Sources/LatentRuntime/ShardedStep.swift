import LatentIR

/// One training step of a data-parallel run: the batch is computed as `shards` fixed parts,
/// this process computing `executables.count` consecutive ones (rank × that, onward), each
/// with its own executable of the step (planned for one shard, the same parameters). The
/// step runs in segments that end where a group of updates begins; there every shard's
/// gradients are gathered from every process and summed in shard order, then divided by
/// the shard count (each shard's loss is a mean over its examples), and the first local
/// shard applies the updates. Every element of every sum is formed in the same order
/// whatever the number of processes or threads, so any process count that divides the
/// shard count trains bit-identical weights.
final class ShardedStep {
    /// Instructions every shard computes, then the updates that follow them (maybe none),
    /// with each update's gradient on every local shard (buffers are fixed once bound).
    struct Segment {
        var compute: Range<Int>
        var updates: Range<Int>
        var gradients: [[UnsafeBufferPointer<Float>]]
    }

    let executables: [Executable<Step>]
    let shards: Int
    let communicator: any Communicator
    let segments: [Segment]
    /// Each run's loss on every local shard.
    let losses: [[UnsafeBufferPointer<Float>]]
    /// The exchange's buffers, sized once for the largest group (fresh ones each step would
    /// cost page faults).
    var outgoing: [Float]
    var incoming: [Float]
    var summed: [Float]
    var gathered: [Float]

    init(_ executables: [Executable<Step>], shards: Int, communicator: any Communicator) {
        self.executables = executables
        self.shards = shards
        self.communicator = communicator
        let instructions = executables[0].code.instructions
        func perShard(_ value: ValueID) -> [UnsafeBufferPointer<Float>] { executables.map { $0.buffer(value) } }
        var segments: [Segment] = []
        var start = 0
        var index = 0
        while index < instructions.count {
            guard instructions[index].op.isUpdate else {
                index += 1
                continue
            }
            let first = index
            var gradients: [[UnsafeBufferPointer<Float>]] = []
            while index < instructions.count, instructions[index].op.isUpdate {
                guard case .update(_, let gradient, _) = instructions[index].op else {
                    preconditionFailure("a sharded step updates only from stored gradients (no batch statistics)")
                }
                gradients.append(perShard(gradient))
                index += 1
            }
            segments.append(Segment(compute: start..<first, updates: first..<index, gradients: gradients))
            start = index
        }
        if start < instructions.count {
            segments.append(Segment(compute: start..<instructions.count, updates: index..<index, gradients: []))
        }
        self.segments = segments
        losses = executables[0].code.runs.map { run in
            executables.map { UnsafeBufferPointer(rebasing: $0.buffer(run.loss)[0..<1]) }
        }
        let largest = (segments.map(\.gradients) + [losses]).map { Self.slice($0, processes: communicator.size) }.max() ?? 1
        outgoing = [Float](repeating: 0, count: communicator.size * executables.count * largest)
        incoming = outgoing
        summed = [Float](repeating: 0, count: largest)
        gathered = [Float](repeating: 0, count: communicator.size * largest)
    }

    /// How many of `values` (each given per local shard) one of `processes` sums.
    static func slice(_ values: [[UnsafeBufferPointer<Float>]], processes: Int) -> Int {
        (values.reduce(0) { $0 + ($1.first?.count ?? 0) } + processes - 1) / processes
    }

    /// Runs the step with random counter `counter` (inputs filled); returns each run's loss,
    /// the mean over all shards. Stops after the update group whose summed gradient was not
    /// finite (every process stops at the same one).
    func run(seed: UInt64, counter: UInt64, profile: StepProfile?, phaseOf: @escaping (Int) -> Int) -> [Float] {
        let lead = executables[0]
        lead.nonFiniteSlot = nil
        for segment in segments {
            for executable in executables {
                _ = executable.run(
                    segment.compute, seed: seed, counter: counter, profile: profile, phaseOf: phaseOf) { _ in false }
            }
            guard !segment.updates.isEmpty else { continue }
            // The updates read the summed gradients where the exchange left them.
            reduce(segment.gradients, profile: profile) { sums in
                let start = profile.map { _ in StepProfile.now() }
                var offset = 0
                for (index, gradient) in zip(segment.updates, segment.gradients) {
                    lead.update(index, gradient: UnsafeMutablePointer(mutating: sums.baseAddress.unsafelyUnwrapped + offset))
                    offset += gradient[0].count
                }
                if let profile, let start { profile.optimizerSeconds += StepProfile.now() - start }
            }
            if lead.nonFiniteSlot != nil { break }
        }
        var means: [Float] = []
        reduce(losses, profile: profile) { means = Array($0) }
        return means
    }

    /// Values (each given per local shard, the same length on every shard) summed over all
    /// shards of all processes in shard order and divided by the shard count, concatenated,
    /// handed to `use`.
    ///
    /// As a reduce-scatter then an all-gather, the way a ring all-reduce moves data: process
    /// q sums slice q of the values (1/N of them) over every shard, receiving that slice of
    /// every other process's shards (all-to-all), and then every process receives every
    /// summed slice. With one shard per process each receives about twice the values, like
    /// an all-reduce, whatever the number of processes; the sums are formed in shard order.
    func reduce(
        _ values: [[UnsafeBufferPointer<Float>]], profile: StepProfile?, _ use: (UnsafeBufferPointer<Float>) -> Void
    ) {
        let size = values.reduce(0) { $0 + ($1.first?.count ?? 0) }
        let local = executables.count
        let processes = communicator.size
        let slice = Self.slice(values, processes: processes)
        let start = profile.map { _ in StepProfile.now() }
        outgoing.withUnsafeMutableBufferPointer { send in
            incoming.withUnsafeMutableBufferPointer { receive in
                summed.withUnsafeMutableBufferPointer { sum in
                    gathered.withUnsafeMutableBufferPointer { all in
                        let send = UnsafeMutableBufferPointer(rebasing: send[..<(processes * local * slice)])
                        let receive = UnsafeMutableBufferPointer(rebasing: receive[..<(processes * local * slice)])
                        let sum = UnsafeMutableBufferPointer(rebasing: sum[..<slice])
                        let all = UnsafeMutableBufferPointer(rebasing: all[..<(processes * slice)])
                        Self.scatter(values, local: local, slice: slice, into: send)
                        communicator.allToAll(UnsafeRawBufferPointer(send), into: UnsafeMutableRawBufferPointer(receive))
                        // Shard 0's slice, plus shard 1's, plus shard 2's, ..., then divided: one order.
                        _ = sum.update(fromContentsOf: receive[..<slice])
                        for shard in 1..<max(shards, 1) {
                            let part = receive.baseAddress.unsafelyUnwrapped + shard * slice
                            for i in 0..<slice { sum[i] += part[i] }
                        }
                        let scale = Float(shards)
                        for i in 0..<slice { sum[i] /= scale }
                        communicator.allGather(UnsafeRawBufferPointer(sum), into: UnsafeMutableRawBufferPointer(all))
                        if let profile, let start {
                            profile.exchangeSeconds += StepProfile.now() - start
                            profile.exchangeBytes += Double((processes - 1) * (local + 1) * slice * 4)
                        }
                        use(UnsafeBufferPointer(rebasing: all[..<size]))
                    }
                }
            }
        }
    }

    /// Lays out destination q's part of an all-to-all: each local shard's slice q of the
    /// concatenated values (zeros past their end), copied in contiguous runs.
    static func scatter(
        _ values: [[UnsafeBufferPointer<Float>]], local: Int, slice: Int, into send: UnsafeMutableBufferPointer<Float>
    ) {
        let total = send.count / max(local, 1)
        for shard in 0..<local {
            // Where element `index` of this shard's concatenated values goes, and how many
            // follow it contiguously (to the end of its slice).
            func place(_ index: Int) -> (target: Int, room: Int) {
                (((index / slice) * local + shard) * slice + index % slice, slice - index % slice)
            }
            var offset = 0
            for parts in values {
                let source = parts[shard]
                var copied = 0
                while copied < source.count {
                    let (target, room) = place(offset + copied)
                    let run = min(source.count - copied, room)
                    _ = UnsafeMutableBufferPointer(rebasing: send[target..<(target + run)]).update(
                        fromContentsOf: source[copied..<(copied + run)])
                    copied += run
                }
                offset += source.count
            }
            while offset < total {
                let (target, room) = place(offset)
                UnsafeMutableBufferPointer(rebasing: send[target..<(target + room)]).update(repeating: 0)
                offset += room
            }
        }
    }
}
