import Foundation
import LatentData

/// The safetensors format (readable by numpy and PyTorch users): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the
/// raw little-endian float32 data. Writes are atomic (`AtomicFile`).
public enum Safetensors {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A named float32 tensor.
    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public static func write(_ entries: [Entry], metadata: [String: String], to path: String) throws(Failure) {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for entry in entries {
            let bytes = entry.values.count * 4
            header[entry.name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        guard var json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw Failure(description: "cannot encode the checkpoint header")
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for entry in entries {
            entry.values.withUnsafeBytes { raw in file.append(contentsOf: raw) }
        }
        do { try AtomicFile.write(file, to: path) } catch { throw Failure(description: error.description) }
    }

    public static func read(path: String) throws(Failure) -> (entries: [String: Entry], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the checkpoint")
        }
        return try parse(data, path: path)
    }

    /// The tensors and metadata of a safetensors file's bytes. Nothing in the file is trusted:
    /// the header length must fit the file, and the tensors' byte ranges must follow each
    /// other without gap or overlap, in order, and end where the file ends.
    package static func parse(_ data: Data, path: String) throws(Failure) -> (
        entries: [String: Entry], metadata: [String: String]
    ) {
        func damaged(_ why: String) -> Failure { Failure(description: "\(path): not a valid safetensors file (\(why))") }
        guard data.count >= 8 else { throw damaged("shorter than its 8-byte header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard length > 0, length <= UInt64(data.count - 8) else {
            throw damaged("the header length \(length) does not fit a file of \(data.count) bytes")
        }
        let headerEnd = data.startIndex + 8 + Int(length)
        guard
            let header = try? JSONSerialization.jsonObject(with: data[(data.startIndex + 8)..<headerEnd])
                as? [String: Any]
        else { throw damaged("the header is not a JSON object") }
        let bodySize = data.endIndex - headerEnd
        var ranges: [(name: String, shape: [Int], start: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            let fields = value as? [String: Any] ?? [:]
            // Whole numbers only: a fraction or a number beyond Int is not a size.
            func integers(_ field: String) -> [Int]? {
                guard let items = fields[field] as? [Any] else { return nil }
                let numbers = items.compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
                return numbers.count == items.count ? numbers : nil
            }
            guard fields["dtype"] as? String == "F32", let shape = integers("shape"), shape.count <= 8,
                let offsets = integers("data_offsets"), offsets.count == 2
            else { throw damaged("tensor '\(name)' needs dtype F32, a shape of whole numbers and two data_offsets") }
            guard let count = Sizes.product(shape), let bytes = Sizes.product([count, 4]),
                offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == bytes
            else { throw damaged("tensor '\(name)' of shape \(shape) does not match its data_offsets \(offsets)") }
            ranges.append((name, shape, offsets[0], offsets[1]))
        }
        ranges.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var expected = 0
        for range in ranges {
            guard range.start == expected else {
                throw damaged(
                    "tensor '\(range.name)' starts at byte \(range.start) of the data, where \(expected) was expected (tensors overlap or leave gaps)"
                )
            }
            expected = range.end
        }
        guard expected == bodySize else {
            throw damaged("the tensors cover \(expected) bytes, but the file holds \(bodySize) after the header")
        }
        var entries: [String: Entry] = [:]
        for range in ranges {
            let values = data[(headerEnd + range.start)..<(headerEnd + range.end)].withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            entries[range.name] = Entry(name: range.name, shape: range.shape, values: values)
        }
        let metadata = (header["__metadata__"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
        return (entries, metadata)
    }
}
