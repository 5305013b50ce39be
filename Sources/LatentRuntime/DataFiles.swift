import Foundation
import LatentData

/// Loads data sets from files: IDX (gzipped or not), NPY (float32, float64 or uint8; labels
/// of any integer type) and CSV (one example per line), with an optional file of class
/// labels. Every value is checked at load time: a NaN, an infinity or a number float32
/// cannot hold is an error naming the file and the example, not a NaN at step 12.
public enum DataFiles {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// The examples of `path` in `format` (the first axis counts examples); bytes map onto `range`.
    public static func load(
        _ format: DataFileFormat, path: String, labels: String?, range: ClosedInterval
    ) throws(Failure) -> Dataset {
        var dataset: Dataset
        switch format {
        case .idx:
            let (dimensions, bytes): ([Int], [UInt8])
            do { (dimensions, bytes) = try IDX.read(path: path) } catch { throw Failure(description: error.description) }
            dataset = try shaped(.bytes(bytes, range: range), dimensions: dimensions, path: path)
        case .npy:
            let array = try NPY.read(path: path)
            switch array.values {
            case .bytes(let bytes):
                dataset = try shaped(.bytes(bytes, range: range), dimensions: array.shape, path: path)
            case .floats(let floats):
                dataset = try shaped(.floats(floats), dimensions: array.shape, path: path)
            case .integers:
                throw Failure(description: "\(path): examples must be float32, float64 or uint8, not integers")
            }
        case .csv:
            let rows = try CSV.read(path: path)
            dataset = try shaped(
                .floats(rows.flatMap { $0.map(Float.init) }), dimensions: [rows.count, rows.first?.count ?? 0],
                path: path)
        }
        if let labels { try attach(labels: labels, format: format, to: &dataset) }
        return dataset
    }

    /// Reads a label file (one whole number per example) into `dataset`.
    static func attach(labels path: String, format: DataFileFormat, to dataset: inout Dataset) throws(Failure) {
        let values: [Int]
        switch format {
        case .idx:
            do { values = try IDX.read(path: path).bytes.map(Int.init) } catch {
                throw Failure(description: error.description)
            }
        case .npy:
            switch try NPY.read(path: path).values {
            case .integers(let integers): values = integers
            case .bytes(let bytes): values = bytes.map(Int.init)
            case .floats: throw Failure(description: "\(path): labels must be integers")
            }
        case .csv:
            let rows = try CSV.read(path: path)
            if let row = rows.firstIndex(where: { $0.count != 1 || Int(exactly: $0[0]) == nil }) {
                throw Failure(description: "\(path): example \(row + 1): each line holds one whole-number label")
            }
            values = rows.compactMap { Int(exactly: $0[0]) }
        }
        guard values.count == dataset.count else {
            throw Failure(description: "\(path) has \(values.count) labels for \(dataset.count) examples")
        }
        if let row = values.firstIndex(where: { $0 < 0 || $0 >= Sizes.maximumRepeats }) {
            throw Failure(
                description:
                    "\(path): example \(row + 1) has label \(values[row]); labels are class numbers 0, 1, 2, ... below \(Sizes.maximumRepeats)"
            )
        }
        dataset.labels = values
        dataset.classes = (values.max() ?? 0) + 1
    }

    /// A data set whose examples are the rows of an array of `dimensions`; float values are
    /// checked to be finite.
    static func shaped(_ storage: Dataset.Storage, dimensions: [Int], path: String) throws(Failure) -> Dataset {
        guard let count = dimensions.first, count > 0 else {
            throw Failure(description: "\(path) holds no examples (its shape is \(dimensions))")
        }
        guard let width = Sizes.product(dimensions.dropFirst()), width > 0, width <= Sizes.maximumWidth else {
            throw Failure(description: "\(path): examples of shape \(Array(dimensions.dropFirst())) are empty or too large")
        }
        if case .floats(let values) = storage, let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw Failure(
                description:
                    "\(path): example \(bad / width + 1), value \(bad % width + 1) is \(values[bad]) (NaN, infinite, or too large for float32)"
            )
        }
        return Dataset(storage: storage, width: width, count: count, labels: nil, classes: 0)
    }
}

/// NumPy's .npy format: magic, version, a header dictionary (a Python literal), then the
/// raw array in C order.
public enum NPY {
    package enum Values {
        case floats([Float])
        case bytes([UInt8])
        case integers([Int])
    }

    static func read(path: String) throws(DataFiles.Failure) -> (shape: [Int], values: Values) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFiles.Failure(description: "\(path): cannot read the file")
        }
        return try parse([UInt8](data), path: path)
    }

    /// The shape and values of a .npy file's bytes; the header's shape must account for
    /// exactly the bytes that follow it.
    package static func parse(_ bytes: [UInt8], path: String) throws(DataFiles.Failure) -> (shape: [Int], values: Values) {
        func fail(_ why: String) -> DataFiles.Failure { DataFiles.Failure(description: "\(path): \(why)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file")
        }
        let major = bytes[6]
        guard major >= 1, major <= 3 else { throw fail("unknown .npy format version \(major)") }
        let start = major == 1 ? 10 : 12
        guard bytes.count >= start else { throw fail("damaged .npy header") }
        let headerLength =
            major == 1
            ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        guard headerLength > 0, headerLength <= bytes.count - start else { throw fail("damaged .npy header") }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        guard case .dictionary(let header)? = PythonLiteral.parse(text),
            case .string(let descr)? = header["descr"], case .boolean(let fortran)? = header["fortran_order"],
            case .sequence(let axes)? = header["shape"]
        else { throw fail("the .npy header is not a dictionary with 'descr', 'fortran_order' and 'shape'") }
        let shape = axes.compactMap { axis -> Int? in if case .integer(let n) = axis, n >= 0 { n } else { nil } }
        guard shape.count == axes.count else { throw fail("the .npy shape \(text) is not a tuple of sizes") }
        guard !fortran || shape.count < 2 else {
            throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        let body = bytes[(start + headerLength)...]
        guard let count = Sizes.product(shape) else { throw fail("the shape \(shape) describes too many values") }
        func values<T: FixedWidthInteger>(_ type: T.Type) throws(DataFiles.Failure) -> [T] {
            let size = MemoryLayout<T>.size
            guard let bytesNeeded = Sizes.product([count, size]), body.count == bytesNeeded else {
                throw fail("the header promises \(count) values of \(size) bytes, the file holds \(body.count) bytes")
            }
            return body.withUnsafeBytes { raw in
                (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
            }
        }
        switch descr {
        case "<f4": return (shape, .floats(try values(UInt32.self).map { Float(bitPattern: $0) }))
        case "<f8": return (shape, .floats(try values(UInt64.self).map { Float(Double(bitPattern: $0)) }))
        case "|u1", "<u1": return (shape, .bytes(try values(UInt8.self)))
        case "<i8": return (shape, .integers(try values(Int64.self).map { Int($0) }))
        case "<i4": return (shape, .integers(try values(Int32.self).map { Int($0) }))
        case "|i1", "<i1": return (shape, .integers(try values(Int8.self).map { Int($0) }))
        case "<u2": return (shape, .integers(try values(UInt16.self).map { Int($0) }))
        case "<i2": return (shape, .integers(try values(Int16.self).map { Int($0) }))
        default:
            throw fail("arrays of '\(descr)' are not supported (use little-endian float32/float64, uint8, or integer labels)")
        }
    }
}

/// Comma-separated numbers, one example per line (blank lines and '#' comments skipped;
/// Windows line endings and a UTF-8 byte-order mark accepted).
package enum CSV {
    static func read(path: String) throws(DataFiles.Failure) -> [[Double]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFiles.Failure(description: "\(path): cannot read the file")
        }
        return try parse(data, path: path)
    }

    package static func parse(_ data: Data, path: String) throws(DataFiles.Failure) -> [[Double]] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows: [[Double]] = []
        // Swift reads "\r\n" as one newline character.
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            var row: [Double] = []
            for (column, field) in content.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let written = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(written) else {
                    throw DataFiles.Failure(
                        description: "\(path):\(number + 1): value \(column + 1) ('\(written)') is not a number")
                }
                guard value.isFinite, Float(value).isFinite else {
                    throw DataFiles.Failure(
                        description:
                            "\(path):\(number + 1): value \(column + 1) ('\(written)') is NaN, infinite or too large for float32"
                    )
                }
                row.append(value)
            }
            if let first = rows.first, first.count != row.count {
                throw DataFiles.Failure(
                    description:
                        "\(path):\(number + 1): \(row.count) values, but the first example has \(first.count); every line needs the same number"
                )
            }
            guard rows.count < Sizes.maximumExamples else {
                throw DataFiles.Failure(description: "\(path): more than \(Sizes.maximumExamples) examples")
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw DataFiles.Failure(description: "\(path): no examples") }
        return rows
    }
}
