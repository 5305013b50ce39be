import Foundation
import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec

/// A spec ready to train: the compiled spec, its data, the planned program and a trainer,
/// with any overrides applied (what `latent train` and `latent bench` start from).
public struct TrainingSetup {
    public let pipeline: Pipeline
    public let program: Program
    public let data: Dataset
    public let trainer: Trainer
    public let batch: Int
    public let seed: UInt64
    /// The spec as this run trains it: overrides applied, data paths absolute (what the run
    /// directory keeps, so its data is found from anywhere).
    public let spec: Spec

    /// Compiles `spec`, checks that the run fits in memory, loads its data (or `dataPath`)
    /// and binds a trainer on `threads` kernel threads for this process's shards of
    /// `processes`; the overrides replace the spec's values. Errors are `LatentError`s.
    public init(
        spec path: String, batch: Int? = nil, seed: Int? = nil, shards: Int? = nil, dataPath: String? = nil,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, processes: any Communicator = SingleProcess()
    ) throws {
        pipeline = try SpecFiles.compile(path)
        var spec = pipeline.model.spec
        if let batch { spec.training.batch.value = batch }
        if let seed { spec.training.seed.value = seed }
        if let shards { spec.training.shards.value = shards }
        let shardCount = spec.training.shards.value
        if let problem = pipeline.model.shardingProblems(batch: spec.training.batch.value, shards: shardCount).first {
            throw LatentError.usage(problem.message)
        }
        if shardCount % processes.size != 0 {
            throw LatentError.usage(
                "\(processes.size) processes do not divide the \(shardCount) shard\(shardCount == 1 ? "" : "s") of each batch; set 'training.shards' (or --shards) to a multiple of \(processes.size), or start a number of processes that divides \(shardCount)")
        }
        spec.data.source.value = try TrainingData.source(of: spec.data, specPath: path, override: dataPath)
        self.spec = spec
        self.batch = spec.training.batch.value
        if let (_, _, message) = pipeline.model.batchNormTooSmall(batch: self.batch) {
            throw LatentError.usage(message + "; use a larger --batch")
        }
        self.seed = UInt64(spec.training.seed.value)
        let batchSize = self.batch
        program =
            shardCount > 1 ? pipeline.shardedStep(batch: batchSize, shards: shardCount) : pipeline.fused.planned(batch: batchSize)
        // The classes of the one-hot labels a phase reads (input y: a labelled phase's, or a
        // discriminator's that reads 'label'), if one does.
        let labelled = program.phases.first { $0.reads == .labelled }
        let labelClasses = program.phases.lazy.compactMap { $0.inputs.first { $0.name == InputName.labels } }.first?
            .type.count(batch: 1, samples: 1)
        do {
            try MemoryBudget.require(
                MemoryBudget.training(program, shards: shardCount / processes.size)
                    + [("data", TrainingData.estimatedBytes(spec.data))],
                for: "training \(pipeline.ir.name) with batch \(batchSize)")
        } catch { throw LatentError.resources("\(error)") }
        data = try TrainingData.load(spec.data, specPath: path, seed: self.seed, labelClasses: labelClasses)
        guard self.batch <= data.count else {
            throw LatentError.usage("a batch of \(self.batch) is larger than the data set (\(data.count) examples)")
        }
        let labelledCount = spec.data.labelled.value
        if labelled != nil, labelledCount == 0 {
            throw LatentError.usage("the spec trains on labelled examples, but 'labelled' is 0")
        }
        trainer = Trainer(
            program: program, data: data, batch: self.batch, seed: self.seed, labelledCount: labelledCount,
            threads: threads, shards: shardCount, communicator: processes)
        // The text a run keeps is the canonical form of what it trains: printed, read back and
        // printed again, so a source replaced by --data takes that source's defaults (range).
        let printed = ResolvedSpecPrinter.print(spec)
        trainer.specText =
            Checker.check(SourceFile(path: path, text: printed)).model.map { ResolvedSpecPrinter.print($0.spec) }
            ?? printed
    }

    /// Training steps for `steps` or `epochs` when given, else the spec's length. A step
    /// draws one batch for every run of its first phase (a GAN step with k = 2: two; an AAE
    /// or AVB step: one, which every phase reads).
    public func totalSteps(steps: Int?, epochs: Int?) -> Int {
        switch (steps, epochs, spec.training.length.value) {
        case (let steps?, _, _): return steps
        case (nil, let epochs?, _), (nil, nil, .epochs(let epochs)):
            // Epochs and data sizes are capped, so the product cannot overflow.
            return max(1, epochs * data.count / (batch * max(trainer.batchesPerStep, 1)))
        case (nil, nil, .steps(let count)): return count
        }
    }
}
