import Foundation

/// Whole-file writes that either complete or leave the old file in place: the bytes go to
/// a temporary file beside the target (named after this process, so two writers never share
/// it), are flushed to disk, and the temporary file is renamed over the target. Every
/// system call is checked, so a full disk is an error, not a torn file.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ data: Data, to path: String) throws(Failure) {
        let temporary = "\(path).tmp.\(getpid())"
        func fail(_ what: String) -> Failure {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return Failure(description: "cannot \(what) \(path): \(reason)")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fail("write") }
        var written = 0
        while written < data.count {
            let result = data[(data.startIndex + written)...].withUnsafeBytes {
                Foundation.write(descriptor, $0.baseAddress, $0.count)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                close(descriptor)
                throw fail("write")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw fail("flush")
        }
        guard close(descriptor) == 0 else { throw fail("close") }
        guard rename(temporary, path) == 0 else { throw fail("move into place") }
    }
}
