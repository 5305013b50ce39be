import Foundation
import LatentIR
import LatentKernels

/// Runs a program's training step over a data set: fills the step's batches, runs its
/// tape (every phase on the schedule, each followed by its optimizer updates) and keeps
/// each phase's last loss. Everything random (initial values, shuffles, draws) follows
/// from the seed.
public final class Trainer {
    public let program: Program
    public let store: ParameterStore
    public let optimizers: OptimizerState
    /// The step, bound once (a data-parallel run's first local shard).
    let executable: Executable<Step>
    /// The batches of the step that some phase reads, in order.
    let batches: [StepBatch]
    /// Each local shard's buffers of those batches (x, and y when a phase reads the labels).
    let buffers: [[(x: UnsafeMutableBufferPointer<Float>, y: UnsafeMutableBufferPointer<Float>)]]
    /// A data-parallel run's step (nil: the whole batch in one executable).
    let sharded: ShardedStep?
    /// The first shard this process computes, and the examples of a shard.
    let firstShard: Int
    let shardBatch: Int
    /// The processes of the run.
    public let communicator: any Communicator
    /// The step instruction after which each run's loss is known (-1 elsewhere), so a
    /// non-finite loss stops the step before its updates.
    let lossRuns: [Int]
    let data: Dataset
    /// The first `labelledCount` examples keep their labels.
    let labelledCount: Int
    /// The indices of the current labelled batch, refilled in place.
    var labelledBatch: [Int]
    let batch: Int
    public let seed: UInt64
    /// The resolved spec the run trains (kept in checkpoints, compared on resume).
    public var specText = ""
    var order: [Int]
    private(set) var cursor = 0
    private(set) var labelledCursor = 0
    /// Completed training steps.
    public private(set) var step: UInt64 = 0
    /// Completed passes over the data.
    public private(set) var epoch = 0
    /// Random counters one step spans (`Step.drawsPerStep`).
    let drawsPerStep: UInt64
    /// Forward-only executables of phases, made when `meanLoss` first asks.
    var evaluators: [String: Executable<Phase>] = [:]

    /// The threads every kernel shares.
    public let pool: WorkerPool
    /// Each phase's loss in its last run (indexed like `program.phases`).
    public private(set) var losses: [Float]

    /// `program` must have a step planned for `batch` examples, or, with `shards` > 1 or
    /// more than one process, for `batch / shards` (`Pipeline.shardedStep`); the processes
    /// must divide the shards. Results are the same for any number of `threads`, and of
    /// processes for a given number of shards.
    public init(
        program: Program, data: Dataset, batch: Int, seed: UInt64, labelledCount: Int?, threads: Int = 1,
        shards: Int = 1, communicator: any Communicator = SingleProcess()
    ) {
        guard let step = program.step else { preconditionFailure("train a program with a planned step") }
        precondition(
            shards >= 1 && shards % communicator.size == 0 && batch % shards == 0,
            "the processes must divide the shards, and the shards the batch")
        self.program = program
        pool = WorkerPool.with(threads: threads)
        losses = Array(repeating: .nan, count: program.phases.count)
        self.data = data
        self.batch = batch
        self.seed = seed
        store = ParameterStore(program.parameters)
        Trainer.initialize(store, seed: seed)
        optimizers = OptimizerState(slots: step.slots, store: store)
        self.communicator = communicator
        let local = shards / communicator.size
        firstShard = communicator.rank * local
        shardBatch = batch / shards
        let executables = (0..<local).map { [store, pool, optimizers, firstShard, shardBatch] shard in
            let executable = Executable(step, parameters: store, pool: pool, optimizers: optimizers)
            if shards > 1 { executable.computeShard(start: (firstShard + shard) * shardBatch, of: batch) }
            return executable
        }
        executable = executables[0]
        sharded =
            shards > 1
            ? ShardedStep(executables, shards: shards, communicator: communicator) : nil
        batches = step.batches.filter { [executable] in executable.input($0.data).count > 0 }
        buffers = executables.map { [batches] executable in
            batches.map { batch in
                (
                    executable.input(batch.data),
                    batch.labels.map { executable.input($0) } ?? UnsafeMutableBufferPointer(start: nil, count: 0)
                )
            }
        }
        var lossRuns = Array(repeating: -1, count: step.instructions.count)
        for (run, phaseRun) in step.runs.enumerated() { lossRuns[phaseRun.loss.index] = run }
        self.lossRuns = lossRuns
        drawsPerStep = UInt64(step.drawsPerStep)
        order = Array(0..<data.count)
        self.labelledCount = min(labelledCount ?? data.count, data.count)
        labelledBatch = Array(repeating: 0, count: batch)
        shuffle()
    }

    /// The random counter of step `step` (0-based); a draw with offset d uses this + d.
    public func counter(step: UInt64) -> UInt64 { step &* drawsPerStep }

    /// The floating-point operations of one step's matrix products (what bounds its speed).
    public var matrixFlopsPerStep: Double { executable.matrixFlops * Double(sharded?.shards ?? 1) }

    /// Batches of the data one step draws.
    public var batchesPerStep: Int { batches.filter { $0.kind == .data }.count }

    /// Parameters drawn as their initializers say, from the seed.
    static func initialize(_ store: ParameterStore, seed: UInt64) {
        let philox = Philox(seed: seed ^ 0x1417)
        for (index, parameter) in store.parameters.enumerated() {
            let count = parameter.shape.reduce(1, *)
            let values: [Float]
            switch parameter.initializer {
            case .zeros: values = Array(repeating: 0, count: count)
            case .ones: values = Array(repeating: 1, count: count)
            case .glorot(let fanIn, let fanOut):
                let limit = (6 / Double(fanIn + fanOut)).squareRoot()
                values = (0..<count).map { Float(limit * (2 * philox.uniform(step: 0, stream: index, index: $0) - 1)) }
            case .he(let fanIn):
                let scale = (2 / Double(fanIn)).squareRoot()
                values = (0..<count).map { Float(scale * philox.normal(step: 0, stream: index, index: $0)) }
            }
            store.set(index, values)
        }
    }

    /// Puts the trainer where a checkpoint left it: the epoch's order is recomputed from the seed.
    func restorePosition(step: UInt64, epoch: Int, cursor: Int, labelledCursor: Int) {
        self.step = step
        order = Array(0..<data.count)
        for replayed in 0...epoch {
            self.epoch = replayed
            shuffle()
        }
        self.cursor = cursor
        self.labelledCursor = labelledCursor
    }

    /// A seeded Fisher-Yates shuffle of the example order, one per epoch.
    func shuffle() {
        let philox = Philox(seed: seed ^ 0x5AFF1E)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(philox.word(step: UInt64(epoch), stream: 0, index: i) % UInt32(i + 1))
            order.swapAt(i, j)
        }
    }

    /// The next batch of example indices (the next epoch starts when too few remain).
    func nextBatch() -> ArraySlice<Int> {
        if cursor + batch > order.count {
            epoch += 1
            cursor = 0
            shuffle()
        }
        defer { cursor += batch }
        return order[cursor..<(cursor + batch)]
    }

    /// The next batch of labelled examples, cycling through them in order.
    func nextLabelledBatch() -> ArraySlice<Int> {
        for row in 0..<batch {
            labelledBatch[row] = labelledCursor
            labelledCursor = (labelledCursor + 1) % max(labelledCount, 1)
        }
        return labelledBatch[...]
    }

    /// The mean loss of phase `phase` over `data` in whole batches, without updating anything
    /// (the negative ELBO of a test set, for instance); nil for an unknown phase or too few
    /// examples. Random draws follow the seed, apart from training's.
    public func meanLoss(of phase: String, on data: Dataset) -> Double? {
        guard let executable = evaluator(phase), data.count >= batch else { return nil }
        let x = executable.input(InputName.data)
        let y = executable.input(InputName.labels)
        var total = 0.0
        let batches = data.count / batch
        for index in 0..<batches {
            let indices = ArraySlice(index * batch..<(index + 1) * batch)
            data.fill(indices, into: x, draw: UInt64(index))
            data.fillLabels(indices, into: y)
            executable.run(seed: seed ^ 0xE7A1, step: UInt64(index))
            total += Double(executable.loss)
        }
        return total / Double(batches)
    }

    /// The forward pass of a phase alone, planned for the training batch (nil for an
    /// unknown phase).
    func evaluator(_ name: String) -> Executable<Phase>? {
        if let executable = evaluators[name] { return executable }
        guard var phase = program.phases.first(where: { $0.name == name }) else { return nil }
        phase.gradients = []
        let forward = MemoryPlanner.run(
            DeadCodeElimination.run(phase), batch: batch, samples: executable.samples)
        let executable = Executable(forward, parameters: store, pool: pool)
        evaluators[name] = executable
        return executable
    }

    /// One training step; afterwards `losses` holds each phase's last loss. Throws when a
    /// loss or gradient is not finite (the parameters are then spoilt: resume from the last
    /// checkpoint).
    public func trainStep(profile: StepProfile? = nil) throws(TrainingError) {
        let start = profile.map { _ in StepProfile.now() }
        let counter = counter(step: step)
        for (index, entry) in batches.enumerated() {
            let indices: ArraySlice<Int> = entry.kind == .labelled ? nextLabelledBatch() : nextBatch()
            for (shard, buffers) in buffers.enumerated() {
                let start = indices.startIndex + (firstShard + shard) * shardBatch
                let part = indices[start..<(start + shardBatch)]
                data.fill(part, into: buffers[index].x, draw: counter &+ UInt64(entry.draw))
                data.fillLabels(part, into: buffers[index].y, labelledBelow: entry.kind == .labelled ? .max : labelledCount)
            }
        }
        if let profile, let start { profile.dataSeconds += StepProfile.now() - start }
        let runs = executable.code.runs
        let origins = executable.code.origins
        let phaseOf = { (index: Int) in runs[origins[index]].phaseIndex }
        let stepLosses: [Float]
        if let sharded {
            stepLosses = sharded.run(seed: seed, counter: counter, profile: profile, phaseOf: phaseOf)
            if let slot = executable.nonFiniteSlot { throw nonFiniteGradient(slot) }
            if let (run, _) = zip(runs, stepLosses).first(where: { !$0.1.isFinite }) {
                throw .nonFinite(phase: run.phase, step: step + 1, tensor: "the loss")
            }
        } else {
            try runWholeBatch(counter: counter, profile: profile, phaseOf: phaseOf)
            stepLosses = runs.map(executable.loss)
        }
        for (run, loss) in zip(runs, stepLosses) { losses[run.phaseIndex] = loss }
        if let profile { for run in runs { profile.phaseRuns[run.phaseIndex] += 1 } }
        step += 1
    }

    /// The step on the whole batch in one executable, stopped at the first loss or gradient
    /// that is not finite (before the updates that would spread it).
    func runWholeBatch(counter: UInt64, profile: StepProfile?, phaseOf: @escaping (Int) -> Int) throws(TrainingError) {
        executable.nonFiniteSlot = nil
        let lossRuns = lossRuns
        let stoppedAt = executable.run(
            executable.bound.indices, seed: seed, counter: counter, profile: profile, phaseOf: phaseOf
        ) { [executable] index in
            let run = lossRuns[index]
            return (run >= 0 && !executable.buffer(ValueID(index))[0].isFinite) || executable.nonFiniteSlot != nil
        }
        guard let stoppedAt else { return }
        if let slot = executable.nonFiniteSlot { throw nonFiniteGradient(slot) }
        let run = executable.code.runs[lossRuns[stoppedAt]]
        throw .nonFinite(phase: run.phase, step: step + 1, tensor: diagnose(run, counter: counter) ?? "the loss")
    }

    /// The error for an update whose gradient (of optimizer slot `slot`) was not finite.
    func nonFiniteGradient(_ slot: Int) -> TrainingError {
        let parameter = program.parameters[optimizers.slots[slot].parameter].name
        return .nonFinite(phase: optimizers.slots[slot].phase, step: step + 1, tensor: "the gradient of \(parameter)")
    }

    /// The first value that is not finite in the forward pass of a run whose loss was not,
    /// run alone on the same batch and draws with the parameters as the step left them (for
    /// a phase that reads the networks as the step began, those may have moved on).
    func diagnose(_ run: PhaseRun, counter: UInt64) -> String? {
        guard let evaluator = evaluator(run.phase) else { return nil }
        let batch = executable.code.batches[run.batch]
        var sources = [InputName.data: batch.data]
        sources[InputName.labels] = batch.labels
        for (name, buffer) in evaluator.inputs {
            guard let source = sources[name] else { continue }
            let values = executable.input(source)
            _ = buffer.update(fromContentsOf: values.prefix(buffer.count))
        }
        return evaluator.firstNonFinite(seed: seed, step: counter &+ UInt64(run.draw))
    }
}

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFinite(phase: String, step: UInt64, tensor: String)

    public var description: String {
        switch self {
        case .nonFinite(let phase, let step, let tensor):
            "phase '\(phase)' produced NaN or infinity at step \(step), first in \(tensor)"
        }
    }
}
