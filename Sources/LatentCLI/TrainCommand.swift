import ArgumentParser
import Foundation
import Latent
import LatentData
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
        kernels.apply()
        let setup = try TrainingSetup(
            spec: spec, batch: batch, seed: seed, shards: shards, dataPath: data, threads: kernels.threads,
            processes: processes)
        let total = setup.totalSteps(steps: steps, epochs: epochs)
        // Process 0 alone owns the run directory; the others only read a checkpoint to resume.
        let session = try TrainingSession(
            setup: setup, specPath: spec, directory: resume ?? out ?? "runs/\(setup.pipeline.ir.name)",
            resume: resume != nil, overwrite: overwrite, writes: Processes.leads)
        if resume != nil, let run = session.run { print("resumed \(run.path) at step \(session.step)") }
        Interruption.install()
        let phases = setup.program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", ")
        let shardCount = setup.spec.training.shards.value
        let parallel =
            processes.size > 1 || shardCount > 1
            ? ", \(shardCount) shards on \(processes.size) process\(processes.size == 1 ? "" : "es")" : ""
        if Processes.leads {
            print(
                "training \(setup.pipeline.ir.name): \(total) steps of \(setup.batch) examples (\(setup.data.count) in the data), "
                    + "phases \(phases), seed \(setup.seed), \(kernels.phrase)\(parallel)")
        }
        guard session.step < total else {
            if Processes.leads { print("the run is already at step \(session.step) of \(total)") }
            return
        }
        let progress = TrainingProgress(total: total, firstEpoch: setup.trainer.epoch + 1)
        do {
            try session.train(to: total, every: every, checkpointEvery: checkpointEvery, observer: progress)
        } catch {
            progress.finish()
            throw error
        }
        if let run = session.run { print("done: \(run.path)") }
    }
}
