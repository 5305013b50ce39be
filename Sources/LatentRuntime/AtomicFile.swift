import Foundation

/// Writes that either complete or leave the file as it was. A whole file goes to a temporary
/// file beside the target (named after this process, so two writers never share it), is
/// flushed to disk and renamed over the target; an appended record is taken back if it
/// cannot be written whole. Every system call is checked, so a full disk is an error, not a
/// torn file.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ data: Data, to path: String) throws(Failure) {
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("write", path) }
        var reason: Failure?
        do { try writeAll(data, to: descriptor, path: path) } catch { reason = error }
        if reason == nil, fsync(descriptor) != 0 { reason = failure("flush", path) }
        if close(descriptor) != 0, reason == nil { reason = failure("close", path) }
        if reason == nil, rename(temporary, path) != 0 { reason = failure("move into place", path) }
        if let reason {
            unlink(temporary)
            throw reason
        }
    }

    /// Appends `data` to the file at `path` whole, or not at all: a write that fails part
    /// way (a full disk) is taken back, so the file never ends in a torn record.
    public static func append(_ data: Data, to path: String) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("append to", path) }
        defer { close(descriptor) }
        let end = lseek(descriptor, 0, SEEK_END)
        do { try writeAll(data, to: descriptor, path: path) } catch {
            if end >= 0 { _ = ftruncate(descriptor, end) }
            throw error
        }
    }

    /// Writes every byte to `descriptor`, retrying interrupted and partial writes.
    static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws(Failure) {
        var written = 0
        while written < data.count {
            let result = data[(data.startIndex + written)...].withUnsafeBytes {
                Foundation.write(descriptor, $0.baseAddress, $0.count)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw failure("write", path) }
            written += result
        }
    }

    /// The failure of a system call on `path`, with the system's reason (read from errno
    /// before anything else can change it).
    static func failure(_ what: String, _ path: String) -> Failure {
        Failure(description: "cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }
}
