import Foundation

/// The safetensors format (readable by numpy and PyTorch users): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the
/// raw little-endian float32 data. Writes are atomic: temporary file, fsync, rename.
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
        try atomicWrite(file, to: path)
    }

    public static func read(path: String) throws(Failure) -> (entries: [String: Entry], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the checkpoint")
        }
        guard data.count >= 8 else { throw Failure(description: "\(path): not a safetensors file (too short)") }
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length > 0, 8 + length <= data.count,
            let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
        else { throw Failure(description: "\(path): not a safetensors file (bad header)") }
        let body = data.subdata(in: (8 + length)..<data.count)
        var entries: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let fields = value as? [String: Any], fields["dtype"] as? String == "F32",
                let shape = fields["shape"] as? [Int], let range = fields["data_offsets"] as? [Int], range.count == 2,
                range[0] >= 0, range[0] <= range[1], range[1] <= body.count,
                (range[1] - range[0]) == 4 * shape.reduce(1, *)
            else { throw Failure(description: "\(path): tensor '\(name)' is not a float32 tensor inside the file") }
            let values = body.subdata(in: range[0]..<range[1]).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            entries[name] = Entry(name: name, shape: shape, values: values)
        }
        return (entries, header["__metadata__"] as? [String: String] ?? [:])
    }

    /// Writes to a temporary file beside the target, flushes it to disk, then renames it.
    static func atomicWrite(_ data: Data, to path: String) throws(Failure) {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw Failure(description: "\(path): cannot write the checkpoint") }
        do { try handle.synchronize() } catch { throw Failure(description: "\(path): cannot flush the checkpoint") }
        try? handle.close()
        guard rename(temporary, path) == 0 else {
            throw Failure(description: "\(path): cannot move the checkpoint into place")
        }
    }
}
