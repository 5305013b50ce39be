import Foundation
import Latent
import LatentRuntime
import LatentTestSupport
import XCTest

/// The library as a program uses it: train with an observer, stop and resume, open the run,
/// sample, evaluate and export.
final class LibraryTests: XCTestCase {
    /// Records what training reports, and asks to stop at a given step.
    final class Recorder: TrainingObserver {
        var stepped: [Int] = []
        var recorded: [Int] = []
        var tested: [Int] = []
        var stopAt: Int?
        var stopRequest: Int32? { stopAt.flatMap { stepped.last == $0 ? SIGINT : nil } }
        func stepped(_ figures: TrainingFigures) { stepped.append(figures.step) }
        func recorded(_ figures: TrainingFigures) {
            XCTAssertTrue(figures.losses.allSatisfy { $0.loss.isFinite })
            recorded.append(figures.step)
        }
        func tested(step: Int, losses: [(phase: String, loss: Double)]) {
            XCTAssertEqual(losses.map(\.phase), ["elbo"])
            tested.append(step)
        }
    }

    func folder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("library-\(getpid())-\(name)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testTrainStopResumeAndUseThroughTheLibrary() throws {
        let spec = Repository.specs.appendingPathComponent("vae-linear.yaml").path
        // Straight through: 400 steps.
        let straight = folder("straight")
        let recorder = Recorder()
        let setup = try TrainingSetup(spec: spec, threads: 2)
        let session = try TrainingSession(setup: setup, specPath: spec, directory: straight, resume: false)
        try session.train(to: 400, every: 100, checkpointEvery: 1000, observer: recorder)
        XCTAssertEqual(recorder.stepped, Array(1...400))
        XCTAssertEqual(recorder.recorded, [100, 200, 300, 400])
        XCTAssertEqual(recorder.tested.last, 400)

        // Stopped at step 150 by the observer, then resumed to 400: the same checkpoint.
        let stopped = folder("stopped")
        let stopping = Recorder()
        stopping.stopAt = 150
        do {
            // The session, and the lock on its directory, end with this scope.
            let first = try TrainingSession(
                setup: try TrainingSetup(spec: spec, threads: 1), specPath: spec, directory: stopped, resume: false)
            XCTAssertThrowsError(try first.train(to: 400, every: 100, observer: stopping)) { error in
                XCTAssertEqual((error as? LatentError)?.kind, .interrupted)
            }
        }
        XCTAssertEqual(stopping.stepped.last, 150)
        let resumed = try TrainingSession(
            setup: try TrainingSetup(spec: spec, threads: 1), specPath: spec, directory: stopped, resume: true)
        XCTAssertEqual(resumed.step, 150)
        try resumed.train(to: 400, every: 100, observer: Recorder())
        XCTAssertEqual(
            FileManager.default.contents(atPath: stopped + "/checkpoint.safetensors"),
            FileManager.default.contents(atPath: straight + "/checkpoint.safetensors"))

        // The trained run: samples repeat with the seed, evaluation and export work.
        let run = try TrainedRun(path: straight)
        let samples = try run.sample(count: 5, seed: 3, threads: 1)
        XCTAssertEqual(samples.count, 5 * 8)
        XCTAssertEqual(try run.sample(count: 2, seed: 3, threads: 2), Array(samples.prefix(16)))
        XCTAssertThrowsError(try run.sample(count: 2, seed: 3, label: .fixed(0), threads: 1)) { error in
            XCTAssertEqual((error as? LatentError)?.kind, .usage)
        }
        let test = try run.examples()
        let elbo = try Evaluation(run: run, data: test, count: 500, threads: 2).evaluate(.elbo)
        let iwae = try Evaluation(run: run, data: test, count: 500, threads: 2).evaluate(try Metric("iwae:100"))
        XCTAssertEqual(elbo.estimate.count, 500)
        XCTAssertLessThan(elbo.estimate.mean, iwae.estimate.mean)
        XCTAssertGreaterThan(elbo.estimate.mean, -12)
        XCTAssertThrowsError(try Metric("iwae:0"))
        let (written, skipped) = try run.exportONNX(to: straight + "/onnx")
        XCTAssertEqual(written.map(\.output.name).sorted(), ["codes", "mean", "output", "output"])
        XCTAssertTrue(skipped.isEmpty)
    }

    /// A spec with errors is a spec error carrying its diagnostics; a missing one a usage error.
    func testErrorsKeepTheirKinds() throws {
        XCTAssertThrowsError(try TrainingSetup(spec: "/nonexistent.yaml")) { error in
            XCTAssertEqual((error as? LatentError)?.kind, .usage)
        }
        let bad = folder("bad") + ".yaml"
        try "latent: 1\ndata: {source: ring(8)}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingSetup(spec: bad)) { error in
            XCTAssertEqual((error as? LatentError)?.kind, .spec)
            XCTAssertTrue((error as? LatentError)?.message.contains("\(bad):") == true, "\(error)")
        }
        XCTAssertThrowsError(try TrainedRun(path: folder("missing"))) { error in
            XCTAssertEqual((error as? LatentError)?.kind, .usage)
        }
    }
}
