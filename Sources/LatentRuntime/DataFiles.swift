import Foundation
import LatentSpec

/// Loads data sets from files: IDX (gzipped or not), NPY (float32 or uint8; labels of any
/// integer type) and CSV (one example per line), with an optional file of class labels.
public enum DataFiles {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// The examples of `path` in `format`, each of `width` values; bytes map onto `range`.
    public static func load(
        _ format: DataFileFormat, path: String, labels: String?, width: Int, range: ClosedInterval
    ) throws(Failure) -> Dataset {
        var dataset: Dataset
        switch format {
        case .idx:
            let (dimensions, bytes): ([Int], [UInt8])
            do { (dimensions, bytes) = try IDX.read(path: path) } catch {
                throw Failure(description: error.description)
            }
            dataset = try shaped(
                .bytes(bytes, range: range), values: bytes.count, dimensions: dimensions, width: width, path: path)
        case .npy:
            let array = try NPY.read(path: path)
            switch array.values {
            case .bytes(let bytes):
                dataset = try shaped(
                    .bytes(bytes, range: range), values: bytes.count, dimensions: array.shape, width: width, path: path)
            case .floats(let floats):
                dataset = try shaped(
                    .floats(floats), values: floats.count, dimensions: array.shape, width: width, path: path)
            case .integers:
                throw Failure(description: "\(path): examples must be float32 or uint8, not integers")
            }
        case .csv:
            let rows = try CSV.read(path: path)
            guard let first = rows.first, rows.allSatisfy({ $0.count == first.count }) else {
                throw Failure(description: "\(path): every line needs the same number of values")
            }
            dataset = try shaped(
                .floats(rows.flatMap { $0.map(Float.init) }), values: rows.count * first.count,
                dimensions: [rows.count, first.count], width: width, path: path)
        }
        if let labels {
            let values: [Int]
            switch format {
            case .idx:
                do { values = try IDX.read(path: labels).bytes.map(Int.init) } catch {
                    throw Failure(description: error.description)
                }
            case .npy:
                switch try NPY.read(path: labels).values {
                case .integers(let integers): values = integers
                case .bytes(let bytes): values = bytes.map(Int.init)
                case .floats: throw Failure(description: "\(labels): labels must be integers")
                }
            case .csv:
                let rows = try CSV.read(path: labels)
                guard rows.allSatisfy({ $0.count == 1 && Int(exactly: $0[0]) != nil }) else {
                    throw Failure(description: "\(labels): each line holds one whole-number label")
                }
                values = rows.compactMap { Int(exactly: $0[0]) }
            }
            guard values.count == dataset.count else {
                throw Failure(description: "\(labels) has \(values.count) labels for \(dataset.count) examples")
            }
            guard let low = values.min(), low >= 0, let high = values.max(), high < 100_000 else {
                throw Failure(description: "\(labels): labels are class numbers 0, 1, 2, ...")
            }
            dataset.labels = values
            dataset.classes = high + 1
        }
        return dataset
    }

    /// A data set whose examples are the rows of an array of `dimensions`.
    static func shaped(
        _ storage: Dataset.Storage, values: Int, dimensions: [Int], width: Int, path: String
    ) throws(Failure) -> Dataset {
        let perExample = dimensions.dropFirst().reduce(1, *)
        guard let count = dimensions.first, count > 0, perExample == width, count * perExample == values else {
            throw Failure(
                description:
                    "\(path) holds examples of shape \(Array(dimensions.dropFirst())) (\(perExample) values), but the spec's 'shape' has \(width) values"
            )
        }
        return Dataset(storage: storage, width: width, count: count, labels: nil, classes: 0)
    }
}

/// NumPy's .npy format: magic, version, a header dictionary, then the raw array (C order).
/// NumPy .npy arrays.
public enum NPY {
    enum Values {
        case floats([Float])
        case bytes([UInt8])
        case integers([Int])
    }

    static func read(path: String) throws(DataFiles.Failure) -> (shape: [Int], values: Values) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFiles.Failure(description: "\(path): cannot read the file")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw DataFiles.Failure(description: "\(path): not a .npy file")
        }
        let major = bytes[6]
        let headerLength =
            major == 1
            ? Int(bytes[8]) | Int(bytes[9]) << 8
            : bytes.count >= 12 ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24 : -1
        let start = major == 1 ? 10 : 12
        guard headerLength > 0, start + headerLength <= bytes.count else {
            throw DataFiles.Failure(description: "\(path): damaged .npy header")
        }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard !header.contains("'fortran_order': True") else {
            throw DataFiles.Failure(
                description: "\(path): Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        guard let descr = field("descr", in: header), let shapeText = field("shape", in: header) else {
            throw DataFiles.Failure(description: "\(path): the .npy header lacks descr or shape")
        }
        let shape = shapeText.split(whereSeparator: { "(), ".contains($0) }).compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let body = Array(bytes[(start + headerLength)...])
        func little<T: FixedWidthInteger>(_ type: T.Type) throws(DataFiles.Failure) -> [T] {
            let size = MemoryLayout<T>.size
            guard body.count == count * size else {
                throw DataFiles.Failure(
                    description:
                        "\(path): the header promises \(count) values, the file holds \(body.count / max(size, 1))")
            }
            return (0..<count).map { index in
                (0..<size).reduce(T.zero) { $0 | T(truncatingIfNeeded: body[index * size + $1]) << (8 * $1) }
            }
        }
        switch descr {
        case "<f4":
            return (shape, .floats(try little(UInt32.self).map { Float(bitPattern: $0) }))
        case "|u1", "<u1":
            guard body.count == count else { throw DataFiles.Failure(description: "\(path): the array is truncated") }
            return (shape, .bytes(body))
        case "<i8": return (shape, .integers(try little(Int64.self).map { Int($0) }))
        case "<i4": return (shape, .integers(try little(Int32.self).map { Int($0) }))
        default:
            throw DataFiles.Failure(
                description:
                    "\(path): arrays of '\(descr)' are not supported (use float32, uint8 or int32/int64 labels)")
        }
    }

    /// The text of a key in the header dictionary: `'key': value,`.
    static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...].drop { $0 == " " }
        if rest.first == "(" { return rest.firstIndex(of: ")").map { String(rest[...$0]) } }
        let value = rest.prefix { $0 != "," && $0 != "}" }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
    }
}

/// Comma-separated numbers, one example per line (blank lines and '#' comments skipped).
enum CSV {
    static func read(path: String) throws(DataFiles.Failure) -> [[Double]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFiles.Failure(description: "\(path): cannot read the file")
        }
        var rows: [[Double]] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            var row: [Double] = []
            for (column, field) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                guard let value = Double(field.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw DataFiles.Failure(
                        description: "\(path):\(number + 1): value \(column + 1) ('\(field)') is not a number")
                }
                row.append(value)
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw DataFiles.Failure(description: "\(path): no examples") }
        return rows
    }
}
