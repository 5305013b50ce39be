import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec
import XCTest

/// A data-parallel step: the batch computed as shards whose gradients are summed in shard
/// order is the step of the whole batch, up to rounding (the same examples and draws, the
/// gradient of the same mean loss); the multi-process runs are in LatentCLITests.
final class ShardTests: XCTestCase {
    func testShardedStepIsTheWholeBatchStep() throws {
        let specs = ["vae-linear.yaml", "vae-iwae.yaml", "gan-ring.yaml", "aae-semisupervised.yaml", "avb-toy.yaml"]
        for name in specs {
            let (reference, pipeline, data) = try trainer(name, batch: 40)
            let whole = Trainer(
                program: Self.withSGD(pipeline.fused.planned(batch: 40)), data: data, batch: 40, seed: reference.seed,
                labelledCount: pipeline.model.spec.data.labelled.value)
            let sharded = Trainer(
                program: Self.withSGD(pipeline.shardedStep(batch: 40, shards: 4)), data: data, batch: 40,
                seed: reference.seed, labelledCount: pipeline.model.spec.data.labelled.value, shards: 4)
            for step in 1...3 {
                try whole.trainStep()
                try sharded.trainStep()
                for (phase, (a, b)) in zip(pipeline.fused.phases, zip(whole.losses, sharded.losses)) {
                    XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a)), "\(name) step \(step) loss of \(phase.name)")
                }
            }
            var worst: Float = 0
            for index in whole.store.parameters.indices {
                for (a, b) in zip(whole.store.values(index), sharded.store.values(index)) {
                    worst = max(worst, abs(a - b) / max(1, abs(a)))
                }
            }
            XCTAssertLessThan(worst, 1e-4, "\(name): parameters after 3 steps")
            // Not trivially equal: the parameters moved (`reference` never trained).
            XCTAssertNotEqual(reference.store.values(0), sharded.store.values(0), name)
        }
    }

    /// The program with plain gradient descent (rate 0.01) in every slot: Adam's first steps
    /// are ±rate whatever a small gradient's size, which would hide or inflate rounding.
    static func withSGD(_ program: Program) -> Program {
        var program = program
        if var step = program.step {
            for index in step.slots.indices { step.slots[index].optimizer = .sgd(lr: 0.01) }
            program.step = step
        }
        return program
    }
}
