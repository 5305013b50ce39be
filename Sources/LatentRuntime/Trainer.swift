import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// Runs a program's phases on its schedule over a data set: each phase's executable fills
/// its batch, runs, and hands its gradients to the optimizer of each updated network.
/// Everything random (initial values, shuffles, draws) follows from the seed.
public final class Trainer {
    public let program: Program
    public let store: ParameterStore
    public let optimizers: OptimizerState
    /// The schedule with each phase's executable: (executable, runs per step, index in
    /// `program.phases`, its inputs `x` and `y`, empty where it reads none).
    let schedule:
        [(
            executable: Executable, count: Int, phase: Int, x: UnsafeMutableBufferPointer<Float>,
            y: UnsafeMutableBufferPointer<Float>
        )]
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
    /// Completed training steps (one pass through the schedule each).
    public private(set) var step: UInt64 = 0
    /// Completed passes over the data.
    public private(set) var epoch = 0

    /// The threads every kernel shares.
    public let pool: WorkerPool
    /// Each phase's loss in its last run (indexed like `program.phases`).
    public private(set) var losses: [Float]

    /// `program` must be planned for `batch` examples. Results are the same for any number
    /// of `threads`.
    public init(program: Program, data: Dataset, batch: Int, seed: UInt64, labelledCount: Int?, threads: Int = 1) {
        self.program = program
        pool = WorkerPool.with(threads: threads)
        losses = Array(repeating: .nan, count: program.phases.count)
        self.data = data
        self.batch = batch
        self.seed = seed
        store = ParameterStore(program.parameters)
        Trainer.initialize(store, seed: seed)
        optimizers = OptimizerState(program: program, store: store)
        var executables: [String: Executable] = [:]
        for phase in program.phases {
            executables[phase.name] = Executable(phase, parameters: store, pool: pool)
        }
        schedule = program.schedule.compactMap { entry in
            guard let executable = executables[entry.phase],
                let index = program.phases.firstIndex(where: { $0.name == entry.phase })
            else { return nil }
            return (
                executable, entry.count, index, executable.input(InputName.data), executable.input(InputName.labels)
            )
        }
        order = Array(0..<data.count)
        self.labelledCount = min(labelledCount ?? data.count, data.count)
        labelledBatch = Array(repeating: 0, count: batch)
        // The layout 4096 x step + 64 x phase + repeat of earlier versions (so results stay
        // bit-identical), widened when a phase runs 64 or more times a step or a step holds
        // more than 4096 runs, so no two runs ever share draws.
        repeatStride = UInt64(max(64, schedule.map(\.count).max() ?? 1))
        runsPerStep = max(4096, repeatStride * UInt64(schedule.count))
        shuffle()
    }

    /// Counters one step spans, and one phase of it.
    let runsPerStep: UInt64
    let repeatStride: UInt64

    /// The random-stream counter of run `repeat` of the `phase`-th schedule entry in `step`
    /// (0-based): `step * runsPerStep + phase * repeatStride + repeat`, distinct for every
    /// run of any schedule.
    public func streamCounter(step: UInt64, phase: Int, repeat: Int) -> UInt64 {
        step &* runsPerStep &+ UInt64(phase) &* repeatStride &+ UInt64(`repeat`)
    }

    /// Batches of the data one step draws (one per run of a phase that reads the data).
    public var batchesPerStep: Int {
        schedule.reduce(0) { $0 + ($1.executable.phase.reads == .data ? $1.count : 0) }
    }

    /// Parameters drawn as their initializers say, from the seed.
    static func initialize(_ store: ParameterStore, seed: UInt64) {
        let philox = Philox(seed: seed ^ 0x1417)
        for (index, parameter) in store.parameters.enumerated() {
            let count = parameter.shape.reduce(1, *)
            let values: [Float]
            switch parameter.initializer {
            case .zeros: values = Array(repeating: 0, count: count)
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
        guard let entry = schedule.first(where: { $0.executable.phase.name == phase }), data.count >= batch else {
            return nil
        }
        let executable = entry.executable
        var total = 0.0
        let batches = data.count / batch
        for index in 0..<batches {
            let indices = ArraySlice(index * batch..<(index + 1) * batch)
            data.fill(indices, into: entry.x, draw: UInt64(index))
            data.fillLabels(indices, into: entry.y)
            executable.run(seed: seed ^ 0xE7A1, step: UInt64(index))
            total += Double(executable.loss)
        }
        return total / Double(batches)
    }

    /// One pass through the schedule; afterwards `losses` holds each phase's last loss.
    /// Throws when a loss or gradient is not finite (the parameters are then spoilt: resume
    /// from the last checkpoint).
    public func trainStep(profile: StepProfile? = nil) throws(TrainingError) {
        for (phaseIndex, entry) in schedule.enumerated() {
            let executable = entry.executable
            for repeatIndex in 0..<entry.count {
                let start = profile.map { _ in StepProfile.now() }
                let indices: ArraySlice<Int> =
                    executable.phase.reads == .labelled ? nextLabelledBatch() : nextBatch()
                // Every run of every phase draws its own numbers.
                let counter = streamCounter(step: step, phase: phaseIndex, repeat: repeatIndex)
                data.fill(indices, into: entry.x, draw: counter)
                data.fillLabels(indices, into: entry.y)
                let filled = profile.map { _ in StepProfile.now() }
                executable.run(seed: seed, step: counter, profile: profile)
                let ran = profile.map { _ in StepProfile.now() }
                guard executable.loss.isFinite else {
                    throw .nonFinite(
                        phase: executable.phase.name, step: step + 1,
                        tensor: executable.firstNonFinite(seed: seed, step: counter) ?? "the loss")
                }
                for (n, gradient) in executable.phase.gradients.enumerated() {
                    let finite = optimizers.update(
                        phase: entry.phase, gradient: n, executable.gradient(n), pool: pool)
                    if !finite {
                        let name = program.parameters[gradient.parameter].name
                        throw .nonFinite(
                            phase: executable.phase.name, step: step + 1, tensor: "the gradient of \(name)")
                    }
                }
                losses[entry.phase] = executable.loss
                if let profile, let start, let filled, let ran {
                    let end = StepProfile.now()
                    profile.dataSeconds += filled - start
                    profile.optimizerSeconds += end - ran
                    profile.phaseSeconds[entry.phase] += end - start
                    profile.phaseRuns[entry.phase] += 1
                }
            }
        }
        step += 1
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
