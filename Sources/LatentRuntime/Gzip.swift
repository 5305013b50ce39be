import CZlib
import Foundation

/// Decompression of gzip files (IDX data sets ship gzipped), with the system's zlib.
enum Gzip {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The bytes of a gzip stream; data that is not gzipped is returned as it is.
    static func decompress(_ data: Data) throws(Failure) -> [UInt8] {
        guard data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B else {
            return Array(data)
        }
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header.
        guard inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let status: Int32 = data.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            var result = Z_OK
            while result == Z_OK {
                result = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let code = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: buffer.prefix(buffer.count - Int(stream.avail_out)))
                    return code
                }
            }
            return result
        }
        guard status == Z_STREAM_END else {
            throw Failure(description: "the gzip data is corrupt (zlib status \(status))")
        }
        return output
    }
}
