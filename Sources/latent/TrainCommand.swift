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

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if steps != nil, epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if every < 1 { throw ValidationError("--every must be at least 1") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    func run() throws {
        let pipeline = try SpecFiles.compile(spec)
        let training = pipeline.model.spec.training
        let batchSize = batch ?? training.batch.value
        let seedValue = UInt64(seed ?? training.seed.value)
        let dataSpec = pipeline.model.spec.data
        let data: Dataset
        switch dataSpec.source.value {
        case .synthetic(let set):
            data = Dataset.synthetic(set, seed: seedValue)
        case .fashionMNIST:
            do {
                data = try Dataset.fashionMNIST(range: dataSpec.range?.value ?? ClosedInterval(low: 0, high: 1))
            } catch {
                printError("error: \(error)")
                throw ExitCode.specErrors
            }
        case .file(let format, let path, let labels):
            do {
                // Paths in a spec are relative to the spec's folder.
                let folder = URL(fileURLWithPath: spec).deletingLastPathComponent()
                func resolve(_ file: String) -> String {
                    file.hasPrefix("/") ? file : folder.appendingPathComponent(file).path
                }
                data = try DataFiles.load(
                    format, path: resolve(path), labels: labels.map(resolve), width: dataSpec.width,
                    range: dataSpec.range?.value ?? ClosedInterval(low: 0, high: 1))
            } catch {
                printError("error: \(error)")
                throw ExitCode.specErrors
            }
        }
        guard batchSize <= data.count else {
            printError("error: a batch of \(batchSize) is larger than the data set (\(data.count) examples)")
            throw ExitCode.usage
        }
        let program = pipeline.fused.mapPhases {
            MemoryPlanner.run($0, batch: batchSize, samples: pipeline.fused.samples)
        }
        let total: Int
        if let steps {
            total = steps
        } else if let epochs {
            total = max(1, epochs * data.count / batchSize)
        } else {
            switch training.length.value {
            case .steps(let count): total = count
            case .epochs(let epochs): total = max(1, epochs * data.count / batchSize)
            }
        }
        let labelled = pipeline.model.spec.data.labelled.value
        let trainer = Trainer(program: program, data: data, batch: batchSize, seed: seedValue, labelledCount: labelled)
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
        print(
            "training \(pipeline.ir.name): \(total) steps of \(batchSize) examples, phases \(program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", ")), seed \(seedValue)"
        )
        var started = Date()
        var sums: [String: Double] = [:]
        var counted = 0
        let first = Int(trainer.step) + 1
        guard first <= total else {
            print("the run is already at step \(trainer.step) of \(total)")
            return
        }
        let clock = Date()
        for index in first...total {
            let losses = trainer.trainStep()
            for (phase, loss) in losses { sums[phase, default: 0] += Double(loss) }
            counted += 1
            if index % every == 0 || index == total {
                let seconds = Date().timeIntervalSince(started)
                let rate = Double(counted * batchSize) / max(seconds, 1e-9)
                let parts = program.phases.map { phase in
                    String(format: "%@ %.4f", phase.name, (sums[phase.name] ?? 0) / Double(max(counted, 1)))
                }
                print(
                    String(format: "step %d/%d  epoch %d  ", index, total, trainer.epoch + 1)
                        + parts.joined(separator: "  ")
                        + String(format: "  %.0f samples/s", rate))
                if let phase = sums.first(where: { !$0.value.isFinite })?.key {
                    printError(
                        "error: the loss of phase '\(phase)' became NaN or infinite by step \(index); the last good checkpoint is \(run.checkpoint)"
                    )
                    throw ExitCode.specErrors
                }
                try run.record(
                    step: index, epoch: trainer.epoch + 1, losses: sums.mapValues { $0 / Double(max(counted, 1)) },
                    samplesPerSecond: rate, seconds: Date().timeIntervalSince(clock))
                sums = [:]
                counted = 0
                started = Date()
            }
            if index % checkpointEvery == 0 || index == total || Interruption.requested {
                try run.save(trainer)
            }
            if Interruption.requested {
                print(
                    "interrupted at step \(index); checkpoint written to \(run.checkpoint) (continue with --resume \(run.path))"
                )
                return
            }
        }
        print("done: \(run.path)")
    }
}
