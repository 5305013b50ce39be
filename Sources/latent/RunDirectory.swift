import ArgumentParser
import Foundation
import LatentRuntime
import Synchronization

/// A training run's directory: the resolved spec, `metrics.jsonl` (one record per progress
/// line) and `checkpoint.safetensors`.
struct RunDirectory {
    let path: String
    var checkpoint: String { path + "/checkpoint.safetensors" }
    var metrics: String { path + "/metrics.jsonl" }

    init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            printError("error: cannot create the run directory \(path): \(error.localizedDescription)")
            throw ExitCode.usage
        }
    }

    /// Starts a fresh run: the resolved spec, and empty metrics.
    func start(resolvedSpec: String) throws {
        guard FileManager.default.createFile(atPath: path + "/spec.resolved.yaml", contents: Data(resolvedSpec.utf8)),
            FileManager.default.createFile(atPath: metrics, contents: Data())
        else {
            printError("error: cannot write into \(path)")
            throw ExitCode.usage
        }
    }

    /// Appends one metrics record.
    func record(step: Int, epoch: Int, losses: [String: Double], samplesPerSecond: Double, seconds: Double) throws {
        let fields = losses.keys.sorted().map { "\"loss.\($0)\": \(losses[$0] ?? .nan)" }
        let line =
            "{\"step\": \(step), \"epoch\": \(epoch), " + fields.joined(separator: ", ")
            + String(format: ", \"samples_per_s\": %.1f, \"wall_s\": %.3f}\n", samplesPerSecond, seconds)
        guard let handle = FileHandle(forWritingAtPath: metrics) else {
            printError("error: cannot append to \(metrics)")
            throw ExitCode.usage
        }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }

    func save(_ trainer: Trainer) throws {
        do { try trainer.writeCheckpoint(to: checkpoint) } catch {
            printError("error: \(error)")
            throw ExitCode.specErrors
        }
    }
}

/// Ctrl-C asks the training loop to write a checkpoint and stop at the end of the step.
enum Interruption {
    static let flag = Atomic<Bool>(false)
    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        signal(SIGINT) { _ in Interruption.flag.store(true, ordering: .relaxed) }
    }
}
