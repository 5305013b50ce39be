import Foundation
import LatentCompiler
import LatentIR
import LatentInterop
import LatentPictures
import LatentRuntime
import LatentSpec

/// What a run records at the end of an epoch: every phase's loss on the test split (data
/// with one: Fashion-MNIST, the synthetic sets), and for image data a grid of 64 samples
/// and 16 test examples above their reconstructions, as TensorBoard images.
struct EpochSummary {
    let trainer: Trainer
    /// The test split without binarisation, as `latent eval` reads it; nil for a data file.
    let test: Dataset?
    let imageSize: (height: Int, width: Int)?
    let sampler: Executable<Phase>?
    let reconstructor: Executable<Phase>?
    let seed: UInt64

    init(setup: TrainingSetup, specPath: String) throws {
        trainer = setup.trainer
        seed = setup.seed
        switch setup.spec.data.source.value {
        case .fashionMNIST, .synthetic:
            // The test losses of phases that read labels need them one-hot, as in training.
            let test = try TrainingData.evaluationExamples(
                setup.spec.data, specPath: specPath, seed: setup.seed,
                labelClasses: setup.data.classes > 0 ? setup.data.classes : nil)
            self.test = test.count >= setup.batch ? test : nil
        case .file:
            self.test = nil
        }
        let imageSize = Pictures.imageSize(setup.spec.data.shape.value)
        self.imageSize = imageSize
        let inference = setup.pipeline.inference()
        func bind(_ name: String, batch: Int) -> Executable<Phase>? {
            guard imageSize != nil, let phase = inference.phases.first(where: { $0.name == name }) else { return nil }
            return Executable(
                MemoryPlanner.run(phase, batch: batch, samples: 1), parameters: setup.trainer.store,
                pool: setup.trainer.pool)
        }
        sampler = bind("sample", batch: 64)
        reconstructor = self.test.flatMap { $0.count >= 16 ? bind("reconstruct", batch: 16) : nil }
    }

    /// Records the summary of the epoch that ended at `step` in `run`; returns the test
    /// losses (empty without a test split).
    func record(step: Int, epoch: Int, in run: RunDirectory) throws -> [(phase: String, loss: Double)] {
        var losses: [(phase: String, loss: Double)] = []
        if let test {
            losses = trainer.program.phases.compactMap { phase in
                trainer.meanLoss(of: phase.name, on: test).map { (phase.name, $0) }
            }
            if !losses.isEmpty { try run.recordTest(step: step, epoch: epoch, losses: losses) }
        }
        guard let (height, width) = imageSize else { return losses }
        if let sampler {
            sampler.run(seed: seed, step: 0)
            let images = Pictures.rows(Array(sampler.output.prefix(64 * height * width)), count: 64)
            try add(Plots.grid(images, width: width, height: height, columns: 8), tag: "samples", step: step, to: run)
        }
        if let reconstructor, let test {
            TrainedRun.fill(reconstructor, from: test, rows: 0..<16)
            reconstructor.run(seed: seed, step: 0)
            let picture = Pictures.reconstructions(
                originals: test.first(16), reconstructions: Array(reconstructor.output.prefix(16 * height * width)),
                count: 16, height: height, width: width)
            try add(picture, tag: "reconstructions", step: step, to: run)
        }
        return losses
    }

    func add(_ image: Image, tag: String, step: Int, to run: RunDirectory) throws {
        try run.event {
            try $0.add(
                png: PNG.encode(image), width: image.width, height: image.height, channels: image.channels, tag: tag,
                step: step)
        }
    }
}
