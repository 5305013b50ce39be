import ArgumentParser
import Foundation
import LatentCompiler
import LatentIR
import LatentRuntime
import LatentSpec

/// `latent train SPEC`: trains a model from its spec.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from its spec, printing each phase's loss as it goes.",
        discussion: """
            Runs the spec's phases on its schedule (k discriminator steps per generator step), \
            each updating only its own networks with their optimizers. One seed gives the same \
            numbers on every run. Data: Fashion-MNIST (Debian's dataset-fashion-mnist), IDX, NPY \
            and CSV files, and the built-in synthetic sets.
            """)

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "Training steps (overrides the spec's epochs or steps).")
    var steps: Int?

    @Option(help: "Train on this file (.npy, .csv, IDX) or Fashion-MNIST folder instead of the spec's data.")
    var data: String?

    @Option(help: "Passes over the data (overrides the spec's epochs or steps).")
    var epochs: Int?

    @Option(help: "Examples per batch (overrides the spec).")
    var batch: Int?

    @Option(help: "Seed of every random draw (overrides the spec).")
    var seed: Int?

    @Option(help: "Print a progress line (and a metrics record) every this many steps.")
    var every: Int = 100

    @Option(help: "The run directory: resolved spec, metrics.jsonl, checkpoint.safetensors (default runs/SPEC-NAME).")
    var out: String?

    @Option(help: "Continue the run in this directory from its checkpoint (same spec and seed).")
    var resume: String?

    @Option(help: "Write a checkpoint every this many steps (and always at the end).")
    var checkpointEvery: Int = 1000

    @OptionGroup var kernels: ThreadsOption

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if steps != nil, epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if every < 1 { throw ValidationError("--every must be at least 1") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    func run() throws {
        let setup = try TrainingSetup(spec: spec, batch: batch, seed: seed, dataPath: data, threads: kernels.threads)
        let (pipeline, program, trainer) = (setup.pipeline, setup.program, setup.trainer)
        let total = setup.totalSteps(steps: steps, epochs: epochs)
        let run = try RunDirectory(path: resume ?? out ?? "runs/\(pipeline.ir.name)")
        if resume != nil {
            do { try trainer.resume(from: run.checkpoint) } catch {
                printError("error: \(error)")
                throw ExitCode.specErrors
            }
            print("resumed \(run.path) at step \(trainer.step)")
        } else {
            try run.start(resolvedSpec: ResolvedSpecPrinter.print(pipeline.model.spec))
        }
        Interruption.install()
        let phases = program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", ")
        print(
            "training \(pipeline.ir.name): \(total) steps of \(setup.batch) examples (\(setup.data.count) in the data), "
                + "phases \(phases), seed \(setup.seed), \(kernels.phrase)")
        let first = Int(trainer.step) + 1
        guard first <= total else {
            print("the run is already at step \(trainer.step) of \(total)")
            return
        }
        try train(trainer, program: program, steps: first...total, batch: setup.batch, run: run)
    }

    /// The training loop: progress, metrics, checkpoints, NaN and Ctrl-C handling.
    func train(_ trainer: Trainer, program: Program, steps: ClosedRange<Int>, batch: Int, run: RunDirectory) throws {
        var progress = TrainingProgress(total: steps.upperBound)
        var sums = [Double](repeating: 0, count: program.phases.count)
        var counted = 0
        var intervalStart = Date()
        let clock = Date()
        var epoch = trainer.epoch
        func figures(_ step: Int) -> TrainingProgress.Figures {
            let seconds = Date().timeIntervalSince(intervalStart)
            return TrainingProgress.Figures(
                step: step, epoch: trainer.epoch + 1,
                losses: zip(program.phases, sums).map { ($0.name, $1 / Double(max(counted, 1))) },
                samplesPerSecond: Double(counted * batch) / max(seconds, 1e-9),
                secondsPerStep: seconds / Double(max(counted, 1)))
        }
        for step in steps {
            do { try trainer.trainStep() } catch {
                progress.finish()
                printError(
                    "error: \(error); the last good checkpoint is \(run.checkpoint) (step \(step / checkpointEvery * checkpointEvery), or the run's start)"
                )
                throw ExitCode.specErrors
            }
            for (index, loss) in trainer.losses.enumerated() { sums[index] += Double(loss) }
            counted += 1
            progress.draw(figures(step))
            if step % every == 0 || step == steps.upperBound {
                let now = figures(step)
                if !progress.isTerminal || trainer.epoch != epoch || step == steps.upperBound { progress.line(now) }
                epoch = trainer.epoch
                try run.record(
                    step: step, epoch: now.epoch,
                    losses: Dictionary(uniqueKeysWithValues: now.losses.map { ($0.phase, $0.loss) }),
                    samplesPerSecond: now.samplesPerSecond, seconds: Date().timeIntervalSince(clock))
                sums = sums.map { _ in 0 }
                counted = 0
                intervalStart = Date()
            }
            if step % checkpointEvery == 0 || step == steps.upperBound || Interruption.requested {
                try run.save(trainer)
            }
            if Interruption.requested {
                progress.finish()
                print(
                    "interrupted at step \(step); checkpoint written to \(run.checkpoint) (continue with --resume \(run.path))"
                )
                return
            }
        }
        print("done: \(run.path)")
    }
}
