import Foundation
import LatentCompiler
import LatentData
import LatentIR
import LatentKernels
import LatentRuntime
import LatentSpec

/// A trained run, as training leaves it: the resolved spec and the checkpoint with the
/// parameters. Given a checkpoint file, the spec is looked for beside it.
public struct TrainedRun {
    public let pipeline: Pipeline
    /// The model's inference program, compiled once; each use plans the phase it runs.
    public let inference: Program
    public let store: ParameterStore
    public let path: String
    /// The resolved spec the run was trained from (data paths are relative to it).
    public let specPath: String
    /// The seed training used (synthetic data sets are drawn from it).
    public let trainingSeed: UInt64

    /// Loads a run directory or checkpoint file: a usage error if it is not a run, a data
    /// error if its checkpoint is unreadable or belongs to another spec.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LatentError.usage("\(path): no such run directory or checkpoint")
        }
        let folder = isDirectory.boolValue ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
        let checkpoint = isDirectory.boolValue ? folder + "/checkpoint.safetensors" : path
        let spec = folder + "/spec.resolved.yaml"
        guard FileManager.default.fileExists(atPath: spec), FileManager.default.fileExists(atPath: checkpoint) else {
            throw LatentError.usage(
                "\(path) is not a training run: it needs spec.resolved.yaml and checkpoint.safetensors (made by latent train)"
            )
        }
        pipeline = try SpecFiles.compile(spec)
        inference = pipeline.inference()
        do {
            try MemoryBudget.require(
                [("parameters", Sizes.sum(pipeline.fused.parameters.map { Sizes.product($0.shape + [4]) ?? -1 }))],
                for: "loading \(path)")
        } catch { throw LatentError.resources("\(error)") }
        store = ParameterStore(pipeline.fused.parameters)
        do {
            let (entries, metadata) = try Safetensors.read(path: checkpoint)
            // The weights must belong to this spec (the length of training aside).
            if let stored = metadata["spec"], let changes = Trainer.specChanges(from: stored, to: ResolvedSpecPrinter.print(pipeline.model.spec)) {
                throw LatentError.data(
                    "\(checkpoint) was trained from another spec than \(spec): \(changes)")
            }
            try store.load(entries, from: checkpoint)
            trainingSeed = metadata["seed"].flatMap(UInt64.init) ?? UInt64(pipeline.model.spec.training.seed.value)
        } catch let failure as LatentError {
            throw failure
        } catch {
            throw LatentError.data("\(error)")
        }
        self.path = path
        specPath = spec
    }

    /// The examples to work on: `dataPath` (a file or a Fashion-MNIST folder), else the
    /// spec's test split (or, with `test` false, its training data): Fashion-MNIST's t10k, a
    /// second draw of a synthetic set, or the spec's own file when it has no split. Values
    /// are never binarised here.
    public func examples(dataPath: String? = nil, test: Bool = true) throws -> Dataset {
        try TrainingData.evaluationExamples(
            pipeline.model.spec.data, specPath: specPath, seed: trainingSeed, dataPath: dataPath, test: test)
    }

    /// Inference phase `name` bound for `batch` rows and `samples` draws per row; a phase
    /// this model has not (encode of a GAN, IWAE weights without a Gaussian encoder) is a
    /// usage error saying so.
    public func bind(_ name: String, batch: Int, samples: Int = 1, threads: Int, purpose: String) throws -> Executable<Phase> {
        guard let unplanned = inference.phases.first(where: { $0.name == name }) else {
            throw LatentError.usage("\(purpose) needs \(Self.requirement[name] ?? name); \(path) has none")
        }
        let phase = MemoryPlanner.run(unplanned, batch: batch, samples: samples)
        do {
            try MemoryBudget.require([("buffers", MemoryBudget.execution([phase]))], for: purpose)
        } catch { throw LatentError.resources("\(error)") }
        return Executable(phase, parameters: store, pool: WorkerPool.with(threads: threads))
    }

    /// Every latent's prior and width, in code order (what `encode` returns, `decode` reads).
    /// A latent with a conditional prior appears as the standard normal of its noise, the
    /// coordinates in which `log_joint` reads it (and annealing draws it).
    public var latents: [(distribution: Prior, width: Int)] {
        pipeline.model.spec.latents.map { ($0.prior ?? .normal(mean: [0], std: [1]), $0.dimension.value) }
    }

    /// Whether some latent's prior is conditioned on other latents (so codes are not drawn
    /// from `latents` directly).
    public var hasConditionalPriors: Bool { pipeline.model.spec.latents.contains(where: \.isConditional) }

    static let requirement = [
        "encode": "an inference model (an encoder)", "encode_draw": "an inference model (an encoder)",
        "reconstruct": "an inference model (an encoder)",
        "log_weights": "Gaussian encoders and priors with a density everywhere (not uniform)",
        "adversary_elbo": "an AVB adversary T(x, z) without adaptive contrast",
        "kl": "Gaussian encoders with prior densities everywhere (not uniform), or an AVB adversary T(x, z) without adaptive contrast",
        "log_joint": "continuous latents with prior densities and a likelihood p(x | z)",
        "log_joint_gradient": "continuous latents with prior densities and a likelihood p(x | z)",
    ]

    /// Runs `executable` over `count` rows, `executable.batch` at a time: `fill` puts the
    /// inputs of rows `range` in place (a short last batch is padded and its extra rows
    /// dropped). Chunk k draws with step k, so row i does not depend on `count`. Returns each
    /// row's output, one after another.
    public func outputs(
        _ executable: Executable<Phase>, count: Int, seed: UInt64, fill: (Range<Int>) -> Void = { _ in }
    ) throws -> [Float] {
        let width = executable.output.count / executable.batch
        do {
            try MemoryBudget.require([("outputs", Sizes.product([count, width, 4]))], for: "\(count) rows of output")
        } catch { throw LatentError.resources("\(error)") }
        var output: [Float] = []
        output.reserveCapacity(count * width)
        var step: UInt64 = 0
        for start in stride(from: 0, to: count, by: executable.batch) {
            let rows = start..<min(count, start + executable.batch)
            fill(rows)
            executable.run(seed: seed, step: step)
            output += executable.output.prefix(rows.count * width)
            step += 1
        }
        return output
    }

    /// Phase `name` run over the first `count` examples of `data`, up to 500 at a time: each
    /// example's output, one after another.
    public func outputs(
        of name: String, on data: Dataset, count: Int, seed: Int, threads: Int, purpose: String
    ) throws -> [Float] {
        let executable = try bind(name, batch: min(count, 500), threads: threads, purpose: purpose)
        return try outputs(executable, count: count, seed: UInt64(seed)) {
            Self.fill(executable, from: data, rows: $0)
        }
    }

    /// Copies examples `rows` of `data` into the executable's input, repeating the last one
    /// to fill a short batch.
    public static func fill(_ executable: Executable<Phase>, from data: Dataset, rows: Range<Int>) {
        let indices = (0..<executable.batch).map { rows.lowerBound + min($0, rows.count - 1) }
        data.fill(ArraySlice(indices), into: executable.data)
    }
}
