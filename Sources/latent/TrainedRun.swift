import ArgumentParser
import Foundation
import LatentCompiler
import LatentIR
import LatentKernels
import LatentRuntime

/// A trained run, as `latent train` leaves it: the resolved spec and the checkpoint with
/// the parameters. Given a checkpoint file, the spec is looked for beside it.
struct TrainedRun {
    let pipeline: Pipeline
    let store: ParameterStore
    let path: String

    /// Loads a run directory or checkpoint file; anything missing or mismatched prints why and exits with 2.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            printError("error: \(path): no such run directory or checkpoint")
            throw ExitCode.usage
        }
        let folder = isDirectory.boolValue ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
        let checkpoint = isDirectory.boolValue ? folder + "/checkpoint.safetensors" : path
        let spec = folder + "/spec.resolved.yaml"
        guard FileManager.default.fileExists(atPath: spec), FileManager.default.fileExists(atPath: checkpoint) else {
            printError(
                "error: \(path) is not a training run: it needs spec.resolved.yaml and checkpoint.safetensors (made by latent train)"
            )
            throw ExitCode.usage
        }
        pipeline = try SpecFiles.compile(spec)
        store = ParameterStore(pipeline.fused.parameters)
        do {
            let (entries, _) = try Safetensors.read(path: checkpoint)
            try store.load(entries, from: checkpoint)
        } catch {
            printError("error: \(error)")
            throw ExitCode.usage
        }
        self.path = path
    }

    /// Runs the inference phase `name` over `count` rows in chunks of at most `chunk`,
    /// chunk k drawing with step k, so row i is the same whatever `count` is; returns the
    /// rows' outputs one after another.
    func run(_ name: String, count: Int, seed: UInt64, threads: Int, chunk: Int = 1000) -> [Float] {
        let batch = min(chunk, count)
        let program = pipeline.inference.mapPhases { MemoryPlanner.run($0, batch: batch, samples: 1) }
        guard let phase = program.phases.first(where: { $0.name == name }) else { return [] }
        let executable = Executable(
            phase, parameters: store, dataWidth: pipeline.model.spec.data.width, pool: WorkerPool.with(threads: threads)
        )
        var output: [Float] = []
        var step: UInt64 = 0
        while output.count < count * (executable.output.count / batch) {
            executable.run(seed: seed, step: step)
            output += executable.output
            step += 1
        }
        return Array(output.prefix(count * (executable.output.count / batch)))
    }
}
