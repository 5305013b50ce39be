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
            numbers on every run. This build reads Fashion-MNIST (Debian's dataset-fashion-mnist) \
            and the built-in synthetic sets.
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

    @Option(help: "Print a progress line every this many steps.")
    var every: Int = 100

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if steps != nil, epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if every < 1 { throw ValidationError("--every must be at least 1") }
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
        case .file:
            printError(
                "error: this build reads Fashion-MNIST and the synthetic sets; IDX/NPY/CSV files come with the data loaders"
            )
            throw ExitCode.specErrors
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
        print(
            "training \(pipeline.ir.name): \(total) steps of \(batchSize) examples, phases \(program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", ")), seed \(seedValue)"
        )
        var started = Date()
        var sums: [String: Double] = [:]
        var counted = 0
        for index in 1...total {
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
                let losses = sums.values
                if losses.contains(where: { !$0.isFinite }) {
                    printError("error: a loss became NaN or infinite at step \(index)")
                    throw ExitCode.specErrors
                }
                sums = [:]
                counted = 0
                started = Date()
            }
        }
    }
}
