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

    func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    func testNPYFloatsBytesAndLabels() throws {
        let x = try temporaryFile("x.npy", npy("<f4", shape: [3, 2], data: floatBytes([1, 2, 3, 4, 5, 6])))
        let y = try temporaryFile(
            "y.npy",
            npy("<i8", shape: [3], data: [2, 0, 1].flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }))
        let data = try DataFiles.load(.npy, path: x, labels: y, width: 2, range: unit)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.labels, [2, 0, 1])
        XCTAssertEqual(data.classes, 3)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2)
        defer { buffer.deallocate() }
        data.fill([2], into: buffer)
        XCTAssertEqual(Array(buffer), [5, 6])
        let images = try temporaryFile("i.npy", npy("|u1", shape: [2, 2, 2], data: [0, 255, 51, 102, 0, 0, 0, 255]))
        let bytes = try DataFiles.load(
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
        let data = try DataFiles.load(.npy, path: path, labels: nil, width: 3, range: unit)
        XCTAssertEqual(data.count, 4)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 3)
        defer { buffer.deallocate() }
        data.fill([3], into: buffer)
        XCTAssertEqual(Array(buffer), [2.25, 2.5, 2.75])
    }

    func testCSVAndIDX() throws {
        let csv = try temporaryFile("x.csv", Array("# two features\n1, 2\n3,4\n\n5,6\n".utf8))
        let labels = try temporaryFile("y.csv", Array("0\n1\n1\n".utf8))
        let data = try DataFiles.load(.csv, path: csv, labels: labels, width: 2, range: unit)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.labels, [0, 1, 1])
        let idx = try temporaryFile("x.idx", [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try DataFiles.load(.idx, path: idx, labels: nil, width: 3, range: unit).count, 2)
    }

    func testMistakesAreClearErrors() throws {
        let x = try temporaryFile("bad.npy", npy("<f4", shape: [3, 2], data: floatBytes([1, 2, 3, 4, 5, 6])))
        let cases: [(() throws -> Dataset, String)] = [
            (
                { try DataFiles.load(.npy, path: x, labels: nil, width: 3, range: self.unit) },
                "the spec's 'shape' has 3 values"
            ),
            (
                {
                    try DataFiles.load(
                        .npy,
                        path: try self.temporaryFile(
                            "f.npy", self.npy(">f8", shape: [1], data: [0, 0, 0, 0, 0, 0, 0, 0])),
                        labels: nil, width: 1, range: self.unit)
                }, "'>f8' are not supported"
            ),
            (
                {
                    try DataFiles.load(
                        .npy, path: try self.temporaryFile("t.npy", self.npy("<f4", shape: [3, 2], data: [0, 0])),
                        labels: nil,
                        width: 2, range: self.unit)
                }, "promises 6 values"
            ),
            (
                {
                    try DataFiles.load(
                        .csv, path: try self.temporaryFile("c.csv", Array("1,2\n3,x\n".utf8)), labels: nil, width: 2,
                        range: self.unit)
                }, ":2: value 2 ('x') is not a number"
            ),
            (
                {
                    try DataFiles.load(
                        .csv, path: try self.temporaryFile("r.csv", Array("1,2\n3\n".utf8)), labels: nil, width: 2,
                        range: self.unit)
                }, "same number of values"
            ),
            (
                {
                    try DataFiles.load(
                        .npy, path: x, labels: try self.temporaryFile("l.csv", Array("0\n1\n".utf8)), width: 2,
                        range: self.unit)
                }, "not a .npy file"
            ),
            (
                {
                    try DataFiles.load(
                        .csv, path: try self.temporaryFile("d.csv", Array("1,2\n3,4\n5,6\n".utf8)),
                        labels: try self.temporaryFile("s.csv", Array("0\n1\n".utf8)), width: 2, range: self.unit)
                }, "has 2 labels for 3 examples"
            ),
            (
                { try DataFiles.load(.npy, path: "/nonexistent.npy", labels: nil, width: 2, range: self.unit) },
                "cannot read"
            ),
        ]
        for (load, message) in cases {
            XCTAssertThrowsError(try load()) { XCTAssertTrue("\($0)".contains(message), "\($0) lacks '\(message)'") }
        }
    }
}
