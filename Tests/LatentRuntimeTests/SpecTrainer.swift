import LatentData
import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec
import LatentTestSupport
import XCTest

extension XCTestCase {
    /// A trainer for a spec in `Specs/` on its own data (Fashion-MNIST or synthetic), with the
    /// spec's batch and seed unless given, and every Adam learning rate times `rateScale`.
    func trainer(
        _ name: String, batch: Int? = nil, seed: UInt64? = nil, threads: Int = 1, rateScale: Double = 1
    ) throws -> (Trainer, Pipeline, Dataset) {
        let url = Repository.specs.appendingPathComponent(name)
        let pipeline = try XCTUnwrap(Pipeline.compile(try SourceFile.read(path: url.path), name: name).pipeline)
        let spec = pipeline.model.spec
        let seed = seed ?? UInt64(spec.training.seed.value)
        let data: Dataset
        switch spec.data.source.value {
        case .synthetic(let set): data = Dataset.synthetic(set, seed: seed)
        case .fashionMNIST: data = try Dataset.fashionMNIST(range: ClosedInterval(low: 0, high: 1))
        case .file: throw XCTSkip("file data")
        }
        let batch = batch ?? spec.training.batch.value
        var program = pipeline.fused.planned(batch: batch)
        func scaled(_ optimizer: UpdateRule) -> UpdateRule {
            guard case .adam(let lr, let beta1, let beta2, let eps) = optimizer else { return optimizer }
            return .adam(lr: lr * rateScale, beta1: beta1, beta2: beta2, eps: eps)
        }
        program.optimizers = program.optimizers.mapValues(scaled)
        if var step = program.step {
            for index in step.slots.indices { step.slots[index].optimizer = scaled(step.slots[index].optimizer) }
            program.step = step
        }
        let trainer = Trainer(
            program: program, data: data, batch: batch, seed: seed, labelledCount: spec.data.labelled.value,
            threads: threads)
        return (trainer, pipeline, data)
    }
}
