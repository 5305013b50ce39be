import Foundation
import LatentIR
import LatentSpec

/// Runs a program's phases on its schedule over a data set: each phase's executable fills
/// its batch, runs, and hands its gradients to the optimizer of each updated network.
/// Everything random (initial values, shuffles, draws) follows from the seed.
public final class Trainer {
    public let program: Program
    public let store: ParameterStore
    public let optimizers: OptimizerState
    /// The schedule with each phase's executable: (executable, runs per step).
    let schedule: [(executable: Executable, count: Int)]
    let data: Dataset
    let labelled: [Int]
    let batch: Int
    public let seed: UInt64
    var order: [Int]
    private(set) var cursor = 0
    private(set) var labelledCursor = 0
    /// Completed training steps (one pass through the schedule each).
    public private(set) var step: UInt64 = 0
    /// Completed passes over the data.
    public private(set) var epoch = 0

    /// `program` must be planned for `batch` examples.
    public init(program: Program, data: Dataset, batch: Int, seed: UInt64, labelledCount: Int?) {
        self.program = program
        self.data = data
        self.batch = batch
        self.seed = seed
        store = ParameterStore(program.parameters)
        Trainer.initialize(store, seed: seed)
        optimizers = OptimizerState(program: program, store: store)
        var executables: [String: Executable] = [:]
        for phase in program.phases {
            executables[phase.name] = Executable(
                phase, parameters: store, dataWidth: data.width, labelWidth: data.classes)
        }
        schedule = program.schedule.compactMap { entry in executables[entry.phase].map { ($0, entry.count) } }
        order = Array(0..<data.count)
        labelled = Array(0..<min(labelledCount ?? data.count, data.count))
        shuffle()
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

    func nextLabelledBatch() -> [Int] {
        (0..<batch).map { _ in
            defer { labelledCursor = (labelledCursor + 1) % max(labelled.count, 1) }
            return labelled[labelledCursor]
        }
    }

    /// One pass through the schedule; returns each phase's last loss.
    @discardableResult
    public func trainStep() -> [String: Float] {
        var losses: [String: Float] = [:]
        for (phaseIndex, entry) in schedule.enumerated() {
            let executable = entry.executable
            for repeatIndex in 0..<entry.count {
                let indices: ArraySlice<Int> =
                    executable.phase.input == .labelled ? ArraySlice(nextLabelledBatch()) : nextBatch()
                data.fill(indices, into: executable.data)
                data.fillLabels(indices, into: executable.labels)
                // Every run of every phase draws its own numbers: the counter holds all three.
                executable.run(seed: seed, step: step &* 4096 &+ UInt64(phaseIndex * 64 + repeatIndex))
                for (n, gradient) in executable.phase.gradients.enumerated() {
                    optimizers.update(gradient.parameter, gradient: executable.gradient(n))
                }
                losses[executable.phase.name] = executable.loss
            }
        }
        step += 1
        return losses
    }
}
