import Foundation
import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec
import LatentTestSupport
import XCTest

/// Training end to end against closed forms: the linear-Gaussian VAE's ELBO approaches the
/// exact log-likelihood of the trained model, and one seed gives bit-identical parameters.
final class TrainingTests: XCTestCase {
    /// Mean exact log p(x) of a synthetic data set under the linear-Gaussian model.
    func exactLogLikelihood(weights: [Double], bias: [Double], latent: Int, std: Double, data: Dataset) -> Double {
        guard case .floats(let values) = data.storage else { return .nan }
        return LinearGaussian.meanLogLikelihood(values, weights: weights, bias: bias, latent: latent, std: std)
    }

    func testLinearGaussianELBOApproachesTheExactLogLikelihood() throws {
        let (trainer, pipeline, data) = try trainer("vae-linear.yaml")
        for _ in 0..<2500 { try trainer.trainStep() }
        var lossSum = 0.0
        for _ in 0..<500 {
            try trainer.trainStep()
            lossSum += Double(trainer.losses[0])
        }
        let elbo = -lossSum / 500
        let parameters = pipeline.fused.parameters
        let weights = try XCTUnwrap(parameters.firstIndex { $0.name == "decoder.0.weight" })
        let bias = try XCTUnwrap(parameters.firstIndex { $0.name == "decoder.0.bias" })
        let exact = exactLogLikelihood(
            weights: trainer.store.values(weights).map(Double.init), bias: trainer.store.values(bias).map(Double.init),
            latent: 2, std: 0.5, data: data)
        let truth = LinearGaussianData(dimension: 8, latent: 2, noise: 0.5, seed: 1)
        let truthLikelihood = exactLogLikelihood(
            weights: (0..<2).flatMap { k in (0..<8).map { truth.weights[$0][k] } }, bias: truth.bias, latent: 2,
            std: 0.5,
            data: data)
        // The ELBO is a lower bound (up to Monte-Carlo noise) and, with a linear Gaussian
        // encoder able to represent the exact posterior, a tight one.
        XCTAssertLessThan(elbo, exact + 0.05, "ELBO \(elbo) above log p(x) \(exact)")
        XCTAssertGreaterThan(elbo, exact - 0.15, "ELBO \(elbo) far below log p(x) \(exact)")
        // Maximum likelihood fits the data at least about as well as the true parameters.
        XCTAssertGreaterThan(exact, truthLikelihood - 0.05, "trained \(exact) vs true \(truthLikelihood)")
    }

    func testOneSeedGivesBitIdenticalParameters() throws {
        let (first, _, _) = try trainer("gan-ring.yaml", batch: 64, seed: 7)
        let (second, _, _) = try trainer("gan-ring.yaml", batch: 64, seed: 7)
        for _ in 0..<50 {
            try first.trainStep()
            try second.trainStep()
        }
        for index in first.program.parameters.indices {
            XCTAssertEqual(first.store.values(index), second.store.values(index), first.program.parameters[index].name)
        }
        let (other, _, _) = try trainer("gan-ring.yaml", batch: 64, seed: 8)
        for _ in 0..<50 { try other.trainStep() }
        XCTAssertNotEqual(first.store.values(0), other.store.values(0), "another seed should give other numbers")
    }

    /// A run interrupted by a checkpoint and resumed ends bit-identical to an uninterrupted one.
    func testResumeIsBitIdentical() throws {
        try assertResumeIsBitIdentical("avb-toy.yaml", batch: 64, stop: 13, steps: 30)
        let (other, _, _) = try trainer("avb-toy.yaml", batch: 64, seed: 4)
        XCTAssertThrowsError(try other.resume(from: checkpointPath("avb-toy.yaml"))) {
            XCTAssertTrue("\($0)".contains("seed 3"), "\($0)")
        }
    }

    /// The same for a model whose shared trunk three phases update, each with its own Adam
    /// moments, and whose labelled batches keep their own cursor.
    func testResumeIsBitIdenticalWithPerPhaseOptimizerState() throws {
        try assertResumeIsBitIdentical("aae-semisupervised.yaml", batch: 20, stop: 3, steps: 7)
    }

    /// Each phase keeps its own optimizer state for the parameters it updates: the AAE's trunk
    /// has moments for reconstruction, the adversarial generator step and the supervised step.
    func testEveryPhaseHasItsOwnOptimizerState() throws {
        let (trainer, _, _) = try trainer("aae-semisupervised.yaml", batch: 20)
        let trunk = try XCTUnwrap(trainer.program.parameters.firstIndex { $0.name == "trunk.0.weight" })
        let phases = trainer.optimizers.slots.filter { $0.parameter == trunk }.map(\.phase)
        XCTAssertEqual(phases, ["reconstruction", "regularization_generator", "supervised"])
        let decoder = try XCTUnwrap(trainer.program.parameters.firstIndex { $0.name == "decoder.0.weight" })
        XCTAssertEqual(trainer.optimizers.slots.filter { $0.parameter == decoder }.map(\.phase), ["reconstruction"])
        try trainer.trainStep()
        XCTAssertEqual(trainer.optimizers.updates, Array(repeating: 1, count: trainer.optimizers.slots.count))
    }

    func checkpointPath(_ spec: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-resume-\(spec)-\(ProcessInfo.processInfo.processIdentifier).safetensors"
        ).path
    }

    /// Trains `steps` steps straight, and `stop` steps, a checkpoint and the rest in another
    /// trainer; every parameter must agree bit for bit.
    func assertResumeIsBitIdentical(_ spec: String, batch: Int, stop: UInt64, steps: UInt64) throws {
        let path = checkpointPath(spec)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let (straight, _, _) = try trainer(spec, batch: batch, seed: 3)
        for _ in 0..<steps { try straight.trainStep() }
        let (first, _, _) = try trainer(spec, batch: batch, seed: 3)
        for _ in 0..<stop { try first.trainStep() }
        try first.writeCheckpoint(to: path)
        let (resumed, _, _) = try trainer(spec, batch: batch, seed: 3)
        try resumed.resume(from: path)
        XCTAssertEqual(resumed.step, stop)
        for _ in stop..<steps { try resumed.trainStep() }
        for index in straight.program.parameters.indices {
            XCTAssertEqual(
                resumed.store.values(index), straight.store.values(index), straight.program.parameters[index].name)
        }
    }

    func testSafetensorsRoundTripAndNumpy() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-st-\(ProcessInfo.processInfo.processIdentifier).safetensors"
        ).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let entries = [
            Safetensors.Entry(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5]),
            Safetensors.Entry(name: "b", shape: [1], values: [0.25]),
        ]
        try Safetensors.write(entries, metadata: ["step": "7"], to: path)
        let (read, metadata) = try Safetensors.read(path: path)
        XCTAssertEqual(read["a"], entries[0])
        XCTAssertEqual(read["b"], entries[1])
        XCTAssertEqual(metadata["step"], "7")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(4)
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Safetensors.read(path: path), "a truncated file must be refused")
        try Safetensors.write(entries, metadata: [:], to: path)
        // Readable by numpy, as safetensors promises (CI installs python3-numpy).
        let script = """
            import json, struct, sys
            import numpy as np
            raw = open(sys.argv[1], "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            start, end = header["a"]["data_offsets"]
            a = np.frombuffer(raw[8 + n + start:8 + n + end], dtype="<f4").reshape(header["a"]["shape"])
            print(a.tolist())
            """
        let (_, text) = try Python.run(script, arguments: [path])
        if text.contains("No module named 'numpy'"), ProcessInfo.processInfo.environment["CI"] == nil {
            throw XCTSkip("python3-numpy is not installed")
        }
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "[[1.0, 2.0, 3.0], [4.0, 5.0, -6.5]]")
    }
}

/// Random draws: every batch of a step draws its own numbers, later phases on a batch share
/// them, and no two steps overlap.
final class StepDrawTests: XCTestCase {
    func testBatchesDrawTheirOwnNumbersAndLaterPhasesShareThem() throws {
        let (gan, _, _) = try trainer("gan-ring.yaml")
        // The layout of earlier versions for ordinary schedules.
        XCTAssertEqual(gan.counter(step: 3), 3 * 4096)
        let url = Repository.specs.appendingPathComponent("gan-ring.yaml")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(
            of: "training:", with: "training:\n  discriminator_steps: 100")
        let pipeline = try XCTUnwrap(Pipeline.compile(SourceFile(path: "many.yaml", text: text), name: "many").pipeline)
        let step = try XCTUnwrap(pipeline.fused.step)
        let discriminator = step.runs.filter { $0.phase == "discriminator" }
        XCTAssertEqual(discriminator.count, 100)
        XCTAssertEqual(Set(discriminator.map(\.batch)).count, 100, "each discriminator run reads its own batch")
        XCTAssertEqual(Set(discriminator.map(\.draw)).count, 100, "two runs on different batches share draws")
        let generator = try XCTUnwrap(step.runs.last)
        XCTAssertEqual(generator.phase, "generator")
        XCTAssertEqual(generator.draw, discriminator.last?.draw, "G's update must see the G(z) D's last update saw")
        XCTAssertTrue(step.runs.allSatisfy { $0.draw < step.drawsPerStep }, "a step's draws reach into the next")
        let trainer = Trainer(
            program: pipeline.fused.planned(batch: 8),
            data: Dataset.synthetic(.ring(modes: 8, radius: 2, std: 0.02, count: 64), seed: 1),
            batch: 8, seed: 1, labelledCount: nil)
        XCTAssertEqual(trainer.batchesPerStep, 100)
    }
}
