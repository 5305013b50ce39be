import LatentData
import Foundation
import LatentRuntime
import LatentSpec
import LatentTestSupport
import XCTest

final class DataFileTests: XCTestCase {
    let unit = ClosedInterval(low: 0, high: 1)

    /// A version-1 .npy file as numpy writes it: magic, header padded to 64 bytes, data.
    func npy(_ descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
        let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
            + data
    }

    /// A file loaded and checked against a spec's width, as every command does.
    func loadChecked(
        _ format: DataFileFormat, path: String, labels: String?, width: Int, range: ClosedInterval,
        labelClasses: Int? = nil
    ) throws -> Dataset {
        try DataFiles.load(format, path: path, labels: labels, range: range).checked(
            width: width, labelClasses: labelClasses, source: path)
    }

    func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    func testNPYFloatsBytesAndLabels() throws {
        let x = try temporaryFile("x.npy", npy("<f4", shape: [3, 2], data: floatBytes([1, 2, 3, 4, 5, 6])))
        let y = try temporaryFile(
            "y.npy",
            npy("<i8", shape: [3], data: [2, 0, 1].flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }))
        let data = try loadChecked(.npy, path: x, labels: y, width: 2, range: unit)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.labels, [2, 0, 1])
        XCTAssertEqual(data.classes, 3)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2)
        defer { buffer.deallocate() }
        data.fill([2], into: buffer)
        XCTAssertEqual(Array(buffer), [5, 6])
        let images = try temporaryFile("i.npy", npy("|u1", shape: [2, 2, 2], data: [0, 255, 51, 102, 0, 0, 0, 255]))
        let bytes = try loadChecked(
            .npy, path: images, labels: nil, width: 4, range: ClosedInterval(low: -1, high: 1))
        let image = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        defer { image.deallocate() }
        bytes.fill([0], into: image)
        for (got, want) in zip(Array(image), [-1, 1, -0.6, -0.2] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6)
        }
    }

    /// A file numpy itself wrote reads the same (CI installs python3-numpy).
    func testFileWrittenByNumpy() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-np-\(ProcessInfo.processInfo.processIdentifier).npy"
        ).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c", "import numpy as np, sys; np.save(sys.argv[1], np.arange(12, dtype=np.float32).reshape(4, 3) / 4)",
            path,
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must have python3-numpy") }
            throw XCTSkip("numpy is not installed")
        }
        let data = try loadChecked(.npy, path: path, labels: nil, width: 3, range: unit)
        XCTAssertEqual(data.count, 4)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 3)
        defer { buffer.deallocate() }
        data.fill([3], into: buffer)
        XCTAssertEqual(Array(buffer), [2.25, 2.5, 2.75])
    }

    func testCSVAndIDX() throws {
        let csv = try temporaryFile("x.csv", Array("# two features\n1, 2\n3,4\n\n5,6\n".utf8))
        let labels = try temporaryFile("y.csv", Array("0\n1\n1\n".utf8))
        let data = try loadChecked(.csv, path: csv, labels: labels, width: 2, range: unit)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.labels, [0, 1, 1])
        let idx = try temporaryFile("x.idx", [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try loadChecked(.idx, path: idx, labels: nil, width: 3, range: unit).count, 2)
    }

    func testMistakesAreClearErrors() throws {
        let x = try temporaryFile("bad.npy", npy("<f4", shape: [3, 2], data: floatBytes([1, 2, 3, 4, 5, 6])))
        let cases: [(() throws -> Dataset, String)] = [
            (
                { try self.loadChecked(.npy, path: x, labels: nil, width: 3, range: self.unit) },
                "but the spec's 'shape' has 3"
            ),
            (
                {
                    try self.loadChecked(
                        .npy,
                        path: try self.temporaryFile(
                            "f.npy", self.npy(">f8", shape: [1], data: [0, 0, 0, 0, 0, 0, 0, 0])),
                        labels: nil, width: 1, range: self.unit)
                }, "'>f8' are not supported"
            ),
            (
                {
                    try self.loadChecked(
                        .npy, path: try self.temporaryFile("t.npy", self.npy("<f4", shape: [3, 2], data: [0, 0])),
                        labels: nil,
                        width: 2, range: self.unit)
                }, "promises 6 values"
            ),
            (
                {
                    try self.loadChecked(
                        .csv, path: try self.temporaryFile("c.csv", Array("1,2\n3,x\n".utf8)), labels: nil, width: 2,
                        range: self.unit)
                }, ":2: value 2 ('x') is not a number"
            ),
            (
                {
                    try self.loadChecked(
                        .csv, path: try self.temporaryFile("r.csv", Array("1,2\n3\n".utf8)), labels: nil, width: 2,
                        range: self.unit)
                }, "every line needs the same number"
            ),
            (
                {
                    try self.loadChecked(
                        .npy, path: x, labels: try self.temporaryFile("l.csv", Array("0\n1\n".utf8)), width: 2,
                        range: self.unit)
                }, "not a .npy file"
            ),
            (
                {
                    try self.loadChecked(
                        .csv, path: try self.temporaryFile("d.csv", Array("1,2\n3,4\n5,6\n".utf8)),
                        labels: try self.temporaryFile("s.csv", Array("0\n1\n".utf8)), width: 2, range: self.unit)
                }, "has 2 labels for 3 examples"
            ),
            (
                { try self.loadChecked(.npy, path: "/nonexistent.npy", labels: nil, width: 2, range: self.unit) },
                "cannot read"
            ),
        ]
        for (load, message) in cases {
            XCTAssertThrowsError(try load()) { XCTAssertTrue("\($0)".contains(message), "\($0) lacks '\(message)'") }
        }
    }

    /// Files as other tools write them: Windows line endings, a byte-order mark, several
    /// gzip members, a header dictionary without spaces, float64 arrays.
    func testFilesAsOtherToolsWriteThem() throws {
        let crlf = try temporaryFile("w.csv", Array("\u{FEFF}1,2\r\n3,4\r\n".utf8))
        XCTAssertEqual(try loadChecked(.csv, path: crlf, labels: nil, width: 2, range: unit).count, 2)
        let header: [UInt8] = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]
        let whole = try temporaryFile("whole.idx", header + [0, 1, 2, 3, 4, 5])
        let parts = try ["a", "b"].map { name -> Data in
            let part = try temporaryFile("\(name).idx", name == "a" ? header + [0, 1] : [2, 3, 4, 5])
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-kf", part]
            try gzip.run()
            gzip.waitUntilExit()
            return try Data(contentsOf: URL(fileURLWithPath: part + ".gz"))
        }
        let members = try temporaryFile("members.idx.gz", Array(parts[0] + parts[1]))
        let expected = try IDX.read(path: whole)
        let read = try IDX.read(path: members)
        XCTAssertEqual(read.dimensions, expected.dimensions)
        XCTAssertEqual(read.bytes, expected.bytes)
        var compact = npy("<f4", shape: [2, 1], data: floatBytes([1, 2]))
        let text = String(decoding: compact[10..<74], as: UTF8.self)
        let squeezed = text.replacingOccurrences(of: ": ", with: ":").replacingOccurrences(of: "False", with: "True")
            .replacingOccurrences(of: "(2, 1)", with: "(1, 2)")
        compact.replaceSubrange(10..<74, with: Array(squeezed.utf8) + Array(repeating: 0x20, count: 64 - squeezed.utf8.count - 1) + [0x0A])
        let fortran = try temporaryFile("fortran.npy", compact)
        XCTAssertThrowsError(try loadChecked(.npy, path: fortran, labels: nil, width: 2, range: unit)) {
            XCTAssertTrue("\($0)".contains("Fortran-ordered"), "\($0)")
        }
        let doubles = try temporaryFile(
            "d.npy", npy("<f8", shape: [1, 2], data: [0.5, 2].flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) }))
        XCTAssertEqual(try loadChecked(.npy, path: doubles, labels: nil, width: 2, range: unit).first(1), [0.5, 2])
    }

    /// Values that cannot train, sizes that cannot be, and labels outside the spec's classes
    /// are errors at load time that name the file and the example.
    func testBadValuesAndSizesAreFoundAtLoadTime() throws {
        let cases: [([UInt8], DataFileFormat, Int, String)] = [
            (Array("1,2\n3,1e300\n".utf8), .csv, 2, ":2: value 2 ('1e300') is NaN, infinite or too large for float32"),
            (Array("1,nan\n".utf8), .csv, 2, "is NaN, infinite"),
            (npy("<f4", shape: [1, 2], data: floatBytes([1, .nan])), .npy, 2, "example 1, value 2 is nan"),
            (npy("<f4", shape: [0, 2], data: []), .npy, 2, "holds no examples"),
            (npy("<f4", shape: [4_611_686_018_427_387_904, 2], data: []), .npy, 2, "too many values"),
            (npy("<f4", shape: [2, 2], data: floatBytes([1, 2, 3, 4])), .npy, 3, "the spec's 'shape' has 3"),
            ([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF], .idx, 4, "than can be counted"),
            ([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2], .idx, 3, "promises 6 values"),
        ]
        for (index, (bytes, format, width, message)) in cases.enumerated() {
            let path = try temporaryFile("bad\(index).\(format)", bytes)
            XCTAssertThrowsError(try loadChecked(format, path: path, labels: nil, width: width, range: unit)) {
                XCTAssertTrue("\($0)".contains(message), "case \(index): \($0) lacks '\(message)'")
            }
        }
        let x = try temporaryFile("x3.csv", Array("1,2\n3,4\n".utf8))
        let labels = try temporaryFile("y3.csv", Array("0\n7\n".utf8))
        XCTAssertThrowsError(
            try loadChecked(.csv, path: x, labels: labels, width: 2, range: unit, labelClasses: 3)
        ) { XCTAssertTrue("\($0)".contains("example 1 has label 7"), "\($0)") }
        XCTAssertThrowsError(try loadChecked(.csv, path: x, labels: nil, width: 2, range: unit, labelClasses: 3)) {
            XCTAssertTrue("\($0)".contains("has no labels"), "\($0)")
        }
        let checked = try loadChecked(.csv, path: x, labels: labels, width: 2, range: unit, labelClasses: 10)
        XCTAssertEqual(checked.classes, 10)
    }

    /// A gzip stream is inflated no further than the IDX header promises.
    func testGzipStopsAtTheHeadersSize() throws {
        let bomb = try temporaryFile("bomb.idx", [0, 0, 8, 1, 0, 0, 0, 4] + Array(repeating: 0, count: 5_000_000))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-kf", bomb]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertThrowsError(try IDX.read(path: bomb + ".gz")) {
            XCTAssertTrue("\($0)".contains("promises 4 values"), "\($0)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: bomb + ".gz"))
        XCTAssertEqual(try Gzip.decompress(data, limit: 100).count, 100)
    }
}
