import Foundation
import LatentInterop
import LatentRuntime

/// A training run's directory: the resolved spec, `metrics.jsonl` (one record per progress
/// line, and one of test losses per epoch), TensorBoard event files saying the same (and
/// holding the epochs' pictures) and `checkpoint.safetensors`. While a process trains in it, it holds an exclusive
/// lock on `run.lock`, so a second process fails at once instead of mixing its records in.
/// Every write is checked: a full disk stops the run with a data error, never a torn file.
public final class RunDirectory {
    public let path: String
    public var checkpoint: String { path + "/checkpoint.safetensors" }
    public var metrics: String { path + "/metrics.jsonl" }
    public var resolvedSpec: String { path + "/spec.resolved.yaml" }
    /// The lock file's descriptor; closing it (at exit) releases the lock.
    private let lock: Int32
    /// This process's TensorBoard event file, once `start` or `keepMetrics` made it.
    public private(set) var events: EventFile?

    /// Opens `path` for a new run, creating it. A folder that already holds a run is
    /// refused unless `overwrite` is set (then its files are replaced).
    public static func create(_ path: String, overwrite: Bool) throws -> RunDirectory {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LatentError.data("cannot create the run directory \(path): \(error.localizedDescription)")
        }
        let run = try RunDirectory(locking: path)
        let existing = [run.checkpoint, run.metrics, run.resolvedSpec].filter {
            FileManager.default.fileExists(atPath: $0)
        }
        if !existing.isEmpty, !overwrite {
            throw LatentError.usage(
                "\(path) already holds a run (\(existing.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))); "
                    + "continue it with --resume \(path), train into another folder with --out, or replace it with --overwrite"
            )
        }
        return run
    }

    /// Opens an existing run to continue it; a folder without a checkpoint is refused
    /// (and never created).
    public static func resume(_ path: String) throws -> RunDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LatentError.usage("--resume \(path): no such run directory")
        }
        let run = try RunDirectory(locking: path)
        guard FileManager.default.fileExists(atPath: run.checkpoint) else {
            throw LatentError.data("--resume \(path): the folder has no checkpoint.safetensors to continue from")
        }
        return run
    }

    private init(locking path: String) throws {
        self.path = path
        lock = open(path + "/run.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else {
            throw LatentError.data("cannot create \(path)/run.lock: \(String(cString: strerror(errno)))")
        }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw LatentError.data(
                "another latent process is training in \(path); wait for it to finish, or train into another folder with --out"
            )
        }
    }

    deinit { close(lock) }

    /// Starts a fresh run: the resolved spec, empty metrics, and no checkpoint (an
    /// overwritten run's would not belong to the new spec).
    func start(resolvedSpec text: String) throws {
        if unlink(checkpoint) != 0, errno != ENOENT {
            throw LatentError.data("cannot remove the old \(checkpoint): \(String(cString: strerror(errno)))")
        }
        try Self.write(Data(text.utf8), to: resolvedSpec)
        try Self.write(Data(), to: metrics)
        try removeEventFiles()
        events = try eventFile(resumingAt: nil)
    }

    /// On resume: keeps the metrics records of steps the checkpoint covers and drops the
    /// rest (records written after it, and a last line torn by a crash), so no step is
    /// recorded twice. A new event file starts at the next step, which makes TensorBoard drop
    /// the old files' records of later steps.
    func keepMetrics(upTo step: Int) throws {
        events = try eventFile(resumingAt: step + 1)
        guard let data = FileManager.default.contents(atPath: metrics) else { return }
        let kept = MetricsFile.records(in: data).filter { $0.step <= step }.map(\.line)
        try Self.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: metrics)
    }

    /// Appends one metrics record, and its scalars to the event file (`loss.X` as `loss/X`).
    func record(step: Int, epoch: Int, losses: [(phase: String, loss: Double)], samplesPerSecond: Double, seconds: Double)
        throws
    {
        let sorted = losses.sorted { $0.phase < $1.phase }
        try append(
            step: step, epoch: epoch, sorted.map { ("loss.\($0.phase)", MetricsFile.json($0.loss)) }
                + [("samples_per_s", String(format: "%.1f", samplesPerSecond)), ("wall_s", String(format: "%.3f", seconds))])
        try event {
            try $0.add(scalars: sorted.map { ("loss/" + $0.phase, $0.loss) } + [("samples_per_s", samplesPerSecond)], step: step)
        }
    }

    /// Appends a record of test losses at an epoch's end (`test.loss.X`, `test/loss/X`).
    func recordTest(step: Int, epoch: Int, losses: [(phase: String, loss: Double)]) throws {
        try append(step: step, epoch: epoch, losses.map { ("test.loss.\($0.phase)", MetricsFile.json($0.loss)) })
        try event { try $0.add(scalars: losses.map { ("test/loss/" + $0.phase, $0.loss) }, step: step) }
    }

    /// One line of metrics.jsonl: the step, the epoch, then `fields` (JSON values) in order.
    private func append(step: Int, epoch: Int, _ fields: [(key: String, json: String)]) throws {
        let line = "{\"step\": \(step), \"epoch\": \(epoch)" + fields.map { ", \"\($0.key)\": \($0.json)" }.joined() + "}\n"
        do { try AtomicFile.append(Data(line.utf8), to: metrics) } catch { throw LatentError.data("\(error)") }
    }

    /// Writes to the event file, with its errors as data errors.
    func event(_ write: (EventFile) throws -> Void) throws {
        guard let events else { return }
        do { try write(events) } catch { throw LatentError.data("\(error)") }
    }

    private func eventFile(resumingAt step: Int?) throws -> EventFile {
        do { return try EventFile(directory: path, resumingAt: step) } catch { throw LatentError.data("\(error)") }
    }

    /// An overwritten run's event files (TensorBoard would show them beside the new run's).
    private func removeEventFiles() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where name.hasPrefix("events.out.tfevents.") {
            if unlink(path + "/" + name) != 0, errno != ENOENT {
                throw LatentError.data("cannot remove the old \(path)/\(name): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes the trainer's checkpoint atomically.
    public func save(_ trainer: Trainer) throws {
        do { try trainer.writeCheckpoint(to: checkpoint) } catch {
            throw LatentError.data("\(error)")
        }
    }

    /// Writes a whole file atomically (temporary file, then rename).
    public static func write(_ data: Data, to path: String) throws {
        do { try AtomicFile.write(data, to: path) } catch { throw LatentError.data("\(error)") }
    }

}

/// The records of `metrics.jsonl`, read tolerantly: a line that is not a complete record
/// (the last one, torn by a crash or a full disk) is skipped.
public enum MetricsFile {
    public struct Record {
        public var line: String
        public var step: Int
        public var fields: [String: Any]
    }

    public static func records(in data: Data) -> [Record] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let step = fields["step"] as? Int
            else { return nil }
            return Record(line: String(line), step: step, fields: fields)
        }
    }

    /// A number as JSON: non-finite values (a diverged loss) become null.
    public static func json(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
}
