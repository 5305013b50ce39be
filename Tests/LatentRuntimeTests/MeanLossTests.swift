import LatentRuntime
import LatentSpec
import XCTest

/// Evaluating a phase's loss on other data (the test split at an epoch's end) reads the
/// parameters and running statistics and changes nothing: the step program's phases hold
/// their optimizer updates and batch-norm averages, which an evaluation must not run.
final class MeanLossTests: XCTestCase {
    func testMeanLossLeavesParametersAndStatisticsAlone() throws {
        var specs = ["gan-ring.yaml", "avb-toy.yaml"]
        if FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory) {
            specs += ["aae-semisupervised.yaml", "dcgan.yaml"]
        }
        for name in specs {
            var (trainer, _, data) = try trainer(name, batch: 8)
            data.count = 32
            for _ in 0..<2 { try trainer.trainStep() }
            let store = trainer.store
            let before = store.parameters.indices.map(store.values)
            let phases = trainer.program.phases.map(\.name)
            let first = phases.map { trainer.meanLoss(of: $0, on: data) }
            XCTAssertTrue(first.allSatisfy { $0?.isFinite == true }, "\(name): \(first)")
            XCTAssertTrue(
                store.parameters.indices.map(store.values) == before, "\(name): evaluating changed the parameters")
            XCTAssertEqual(phases.map { trainer.meanLoss(of: $0, on: data) }, first, name)
        }
    }
}
