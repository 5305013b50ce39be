import ArgumentParser
import Foundation
import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec

/// What `train` and `bench` share: the compiled spec, its data, the planned program and a
/// trainer, with the command line's overrides applied.
struct TrainingSetup {
    let pipeline: Pipeline
    let program: Program
    let data: Dataset
    let trainer: Trainer
    let batch: Int
    let seed: UInt64

    /// Compiles `spec`, loads its data (or `dataPath`) and binds a trainer; errors print and exit.
    init(spec: String, batch: Int?, seed: Int?, dataPath: String?, threads: Int) throws {
        pipeline = try SpecFiles.compile(spec)
        let training = pipeline.model.spec.training
        self.batch = batch ?? training.batch.value
        self.seed = UInt64(seed ?? training.seed.value)
        data = try TrainingData.load(pipeline.model.spec.data, specPath: spec, override: dataPath, seed: self.seed)
        guard self.batch <= data.count else {
            printError("error: a batch of \(self.batch) is larger than the data set (\(data.count) examples)")
            throw ExitCode.usage
        }
        let samples = pipeline.fused.samples
        let batchSize = self.batch
        program = pipeline.fused.mapPhases { MemoryPlanner.run($0, batch: batchSize, samples: samples) }
        trainer = Trainer(
            program: program, data: data, batch: self.batch, seed: self.seed,
            labelledCount: pipeline.model.spec.data.labelled.value, threads: threads)
    }

    /// Training steps for `steps` or `epochs` when given, else the spec's length. A step
    /// draws one batch for every run of a phase that reads the data (an AAE step: three).
    func totalSteps(steps: Int?, epochs: Int?) -> Int {
        let batchesPerStep = program.schedule.reduce(0) { total, entry in
            let readsData = program.phases.first { $0.name == entry.phase }?.input == .data
            return total + (readsData ? entry.count : 0)
        }
        switch (steps, epochs, pipeline.model.spec.training.length.value) {
        case (let steps?, _, _): return steps
        case (nil, let epochs?, _), (nil, nil, .epochs(let epochs)):
            return max(1, epochs * data.count / (batch * max(batchesPerStep, 1)))
        case (nil, nil, .steps(let count)): return count
        }
    }
}
