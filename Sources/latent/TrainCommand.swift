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

            The run directory is never overwritten by accident: a folder that holds a run needs \
            --resume (continue it) or --overwrite (start again). One process at a time trains in \
            a folder (a second fails at once). --resume refuses a checkpoint of a different spec; \
            only the training length (--steps, --epochs, or the spec's) may change. Ctrl-C or \
            SIGTERM writes a checkpoint and exits with 130 or 143.

            Data-parallel: `mpirun -np N latent train SPEC` splits each batch into the spec's \
            'shards' (or --shards) fixed parts, N dividing them; each process computes its \
            shards, their gradients are summed in shard order, and every process applies the \
            same update. Any N that divides the shards gives the same weights, bit for bit. \
            Process 0 alone prints and writes the run directory.
            """)

    @Argument(help: "The spec file.")
    var spec: String

    @Option(parsing: .unconditional, help: "Training steps (overrides the spec's epochs or steps).")
    var steps: Int?

    @Option(help: "Train on this file (.npy, .csv, IDX) or Fashion-MNIST folder instead of the spec's data.")
    var data: String?

    @Option(parsing: .unconditional, help: "Passes over the data (overrides the spec's epochs or steps).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Examples per batch (overrides the spec).")
    var batch: Int?

    @Option(parsing: .unconditional, help: "Seed of every random draw, 0 or more (overrides the spec).")
    var seed: Int?

    @Option(
        parsing: .unconditional,
        help: "Fixed parts each batch is computed in, their gradients summed in one order (overrides the spec's 'shards').")
    var shards: Int?

    @Option(parsing: .unconditional, help: "Print a progress line (and a metrics record) every this many steps.")
    var every: Int = 100

    @Option(help: "The run directory: resolved spec, metrics.jsonl, checkpoint.safetensors (default runs/SPEC-NAME).")
    var out: String?

    @Option(help: "Continue the run in this directory from its checkpoint (same spec; the length may change).")
    var resume: String?

    @Flag(help: "Replace the run that the run directory already holds.")
    var overwrite = false

    @Option(parsing: .unconditional, help: "Write a checkpoint every this many steps (and always at the end).")
    var checkpointEvery: Int = 1000

    @OptionGroup var kernels: MachineOptions

    func validate() throws {
        try OptionChecks.check(steps, "--steps", in: 1...Sizes.maximumSteps)
        try OptionChecks.check(epochs, "--epochs", in: 1...Sizes.maximumEpochs)
        if steps != nil, epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        try OptionChecks.check(batch, "--batch", in: 1...Sizes.maximumBatch)
        try OptionChecks.check(seed, "--seed", in: 0...Int.max)
        try OptionChecks.check(shards, "--shards", in: 1...Sizes.maximumShards)
        try OptionChecks.check(every, "--every", in: 1...Int.max)
        try OptionChecks.check(checkpointEvery, "--checkpoint-every", in: 1...Int.max)
        if let resume, let out, URL(fileURLWithPath: resume).standardized != URL(fileURLWithPath: out).standardized {
            throw ValidationError("--resume continues the run in its own folder; --out \(out) would be ignored (drop it)")
        }
        if resume != nil, overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
    }

    func run() throws {
        let processes = Processes.world
        let setup = try TrainingSetup(
            spec: spec, batch: batch, seed: seed, shards: shards, dataPath: data, machine: kernels,
            processes: processes)
        let (pipeline, program, trainer) = (setup.pipeline, setup.program, setup.trainer)
        let total = setup.totalSteps(steps: steps, epochs: epochs)
        // Process 0 alone owns the run directory; the others only read a checkpoint to resume.
        var run: RunDirectory?
        if let resume {
            if Processes.leads { run = try RunDirectory.resume(resume) }
            let checkpoint = run?.checkpoint ?? resume + "/checkpoint.safetensors"
            do { try trainer.resume(from: checkpoint) } catch { throw CommandFailure.data("\(error)") }
            if let run {
                try run.keepMetrics(upTo: Int(trainer.step))
                try RunDirectory.write(Data(trainer.specText.utf8), to: run.resolvedSpec)
                print("resumed \(run.path) at step \(trainer.step)")
            }
        } else if Processes.leads {
            run = try RunDirectory.create(out ?? "runs/\(pipeline.ir.name)", overwrite: overwrite)
            try run?.start(resolvedSpec: trainer.specText)
        }
        Interruption.install()
        let phases = program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", ")
        let parallel =
            processes.size > 1 || setup.spec.training.shards.value > 1
            ? ", \(setup.spec.training.shards.value) shards on \(processes.size) process\(processes.size == 1 ? "" : "es")" : ""
        if Processes.leads {
            print(
                "training \(pipeline.ir.name): \(total) steps of \(setup.batch) examples (\(setup.data.count) in the data), "
                    + "phases \(phases), seed \(setup.seed), \(kernels.phrase)\(parallel)")
        }
        let first = Int(trainer.step) + 1
        guard first <= total else {
            if Processes.leads { print("the run is already at step \(trainer.step) of \(total)") }
            return
        }
        let summary = try run.map { _ in try EpochSummary(setup: setup, specPath: spec) }
        try train(trainer, program: program, steps: first...total, batch: setup.batch, run: run, summary: summary)
    }

    /// The training loop: progress, metrics, epoch summaries, checkpoints, NaN and signal
    /// handling. Without a run directory (a process other than 0), it trains in step with the
    /// others silently.
    func train(
        _ trainer: Trainer, program: Program, steps: ClosedRange<Int>, batch: Int, run: RunDirectory?,
        summary: EpochSummary?
    ) throws {
        var progress = TrainingProgress(total: steps.upperBound)
        var sums = [Double](repeating: 0, count: program.phases.count)
        var counted = 0
        var intervalStart = Date()
        let clock = Date()
        var epoch = trainer.epoch
        // Epoch summaries come at epochs' ends, at most one per `every` steps, and at the end.
        var summarized = (epoch: trainer.epoch, step: steps.lowerBound - 1)
        // The step of the newest checkpoint on disk (nil: none written by this run yet).
        var checkpointed: Int? = steps.lowerBound > 1 ? steps.lowerBound - 1 : nil
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
                let last =
                    checkpointed.map { "the last good checkpoint is \(run?.checkpoint ?? "") (step \($0))" }
                    ?? "no checkpoint was written before it"
                throw CommandFailure.numerical("\(error); \(last)")
            }
            for (index, loss) in trainer.losses.enumerated() { sums[index] += Double(loss) }
            counted += 1
            // Every process stops at the same step when any of them was signalled.
            var signal = Interruption.requested
            if trainer.communicator.size > 1, trainer.communicator.any(signal != nil) { signal = signal ?? SIGTERM }
            guard let run else {
                if let signal {
                    _ = trainer.communicator.any(false)  // process 0 has written its checkpoint
                    throw CommandFailure(kind: signal == SIGTERM ? .terminated : .interrupted, message: "")
                }
                continue
            }
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
            if let summary,
                (trainer.epoch != summarized.epoch && step - summarized.step >= every) || step == steps.upperBound
            {
                let losses = try summary.record(step: step, epoch: trainer.epoch, in: run)
                summarized = (trainer.epoch, step)
                if !losses.isEmpty {
                    progress.note(
                        "test split at step \(step): loss: "
                            + losses.map { String(format: "%@ %.4f", $0.phase, $0.loss) }.joined(separator: "  "))
                }
                intervalStart = Date()
            }
            if step % checkpointEvery == 0 || step == steps.upperBound || signal != nil {
                try run.save(trainer)
                checkpointed = step
            }
            if let signal {
                if trainer.communicator.size > 1 { _ = trainer.communicator.any(false) }
                progress.finish()
                let name = signal == SIGTERM ? "terminated (SIGTERM)" : "interrupted"
                throw CommandFailure(
                    kind: signal == SIGTERM ? .terminated : .interrupted,
                    message: "\(name) at step \(step); checkpoint written to \(run.checkpoint) (continue with --resume \(run.path))")
            }
        }
        if let run { print("done: \(run.path)") }
    }
}
