import CZlib
import Foundation

/// Decompression of gzip files (IDX data sets ship gzipped), with the system's zlib.
/// Several gzip members one after another (as `pigz` or `cat a.gz b.gz` make) are one stream.
package enum Gzip {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Whether `data` starts like a gzip stream.
    package static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The bytes of a gzip stream, at most `limit` of them: decompression stops there, so a
    /// small file that inflates to gigabytes costs no more than `limit`. Data that is not
    /// gzipped is returned as it is (its first `limit` bytes).
    package static func decompress(_ data: Data, limit: Int) throws(Failure) -> [UInt8] {
        guard isCompressed(data) else { return Array(data.prefix(limit)) }
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header.
        guard inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = data.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let code = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(min(buffer.count, limit - output.count))
                    let code = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: buffer.prefix(min(buffer.count, limit - output.count) - Int(stream.avail_out)))
                    return code
                }
                if output.count >= limit { return Z_STREAM_END }
                if code == Z_STREAM_END {
                    // Another member follows: start it afresh; trailing zero padding ends the stream.
                    guard stream.avail_in >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B else {
                        return Z_STREAM_END
                    }
                    guard inflateReset(&stream) == Z_OK else { return Z_DATA_ERROR }
                    continue
                }
                if code != Z_OK { return code == Z_BUF_ERROR ? Z_DATA_ERROR : code }
            }
        }
        guard status == Z_STREAM_END else {
            throw Failure(description: "the gzip data is corrupt or truncated (zlib status \(status))")
        }
        return output
    }
}
