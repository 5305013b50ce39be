// Trains a spec through the Latent library, then opens the run, draws samples and
// evaluates the test ELBO: what `latent train` and `latent sample`/`eval` do, in a program.
//
//   swift run latent-example [SPEC] [STEPS]      # default: Specs/vae-linear.yaml, 1500 steps
import Foundation
import Latent
import LatentRuntime

/// Prints a line per metrics record and the test losses at epochs' ends.
final class Printer: TrainingObserver {
    func recorded(_ figures: TrainingFigures) {
        let losses = figures.losses.map { String(format: "%@ %.4f", $0.phase, $0.loss) }.joined(separator: "  ")
        print("step \(figures.step)  epoch \(figures.epoch)  loss: \(losses)")
    }

    func tested(step: Int, losses: [(phase: String, loss: Double)]) {
        print("test split at step \(step): " + losses.map { "\($0.phase) \($0.loss)" }.joined(separator: "  "))
    }
}

let arguments = CommandLine.arguments.dropFirst()
let spec = arguments.first ?? "Specs/vae-linear.yaml"
let steps = arguments.dropFirst().first.flatMap(Int.init) ?? 1500
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("latent-example").path

do {
    // Compile the spec, load its data and bind a trainer.
    let setup = try TrainingSetup(spec: spec, threads: 2)
    // A fresh run directory (metrics.jsonl, TensorBoard events, checkpoints).
    let session = try TrainingSession(setup: setup, specPath: spec, directory: directory, resume: false, overwrite: true)
    try session.train(to: steps, every: 500, observer: Printer())

    // Open the trained run as `latent sample` and `latent eval` do.
    let run = try TrainedRun(path: directory)
    let samples = try run.sample(count: 3, seed: 1, threads: 2)
    let width = samples.count / 3
    for row in 0..<3 {
        print("sample \(row): " + samples[(row * width)..<((row + 1) * width)].prefix(4).map { String(format: "%.3f", $0) }
            .joined(separator: " ") + (width > 4 ? " ..." : ""))
    }
    let evaluation = Evaluation(run: run, data: try run.examples(), count: 1000, threads: 2)
    let result = try evaluation.evaluate(.elbo)
    print(String(format: "test ELBO: %.4f ± %.4f on %d examples", result.estimate.mean, result.estimate.standardError, result.estimate.count))
    print("run directory: \(directory)")
} catch let error as LatentError {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    exit(error.kind.rawValue)
}
