import Foundation

extension NPY {
    /// A little-endian float32 (or, for `Double` values, float64) .npy file (format 1.0) of
    /// `shape`, written atomically.
    public static func write<Value: NPYFloat>(_ values: [Value], shape: [Int], to path: String)
        throws(DataFiles.Failure)
    {
        let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(Value.descr)', 'fortran_order': False, 'shape': (\(dimensions)), }"
        // Magic, version and length take 10 bytes; the header ends in a newline at a multiple of 64.
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        do { try AtomicFile.write(data, to: path) } catch {
            throw DataFiles.Failure(description: error.description)
        }
    }
}

/// The element types .npy files are written in, with their numpy type strings.
public protocol NPYFloat: BinaryFloatingPoint {
    static var descr: String { get }
}

extension Float: NPYFloat { public static var descr: String { "<f4" } }
extension Double: NPYFloat { public static var descr: String { "<f8" } }
