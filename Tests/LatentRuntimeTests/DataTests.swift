import LatentData
import Foundation
import LatentRuntime
import LatentSpec
import LatentTestSupport
import XCTest

final class DataTests: XCTestCase {
    /// An IDX file reads the same plain and gzipped (compressed by the system's gzip).
    func testIDXPlainAndGzipped() throws {
        let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + Array(0..<12)
        let plain = URL(fileURLWithPath: try temporaryFile("x.idx", bytes))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-f", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: plain.path + ".gz") }
        let read = try IDX.read(path: plain.path)
        XCTAssertEqual(read.dimensions, [2, 2, 3])
        XCTAssertEqual(read.bytes, Array(0..<12))
        let unzipped = try IDX.read(path: plain.path + ".gz")
        XCTAssertEqual(unzipped.dimensions, read.dimensions)
        XCTAssertEqual(unzipped.bytes, read.bytes)
    }

    func testBrokenFilesAreClearErrors() throws {
        let truncated = try temporaryFile("t.idx", [0, 0, 8, 1, 0, 0, 0, 9, 1, 2])
        XCTAssertThrowsError(try IDX.read(path: truncated)) { error in
            XCTAssertTrue("\(error)".contains("promises 9 values"), "\(error)")
        }
        XCTAssertThrowsError(
            try Dataset.fashionMNIST(directory: "/nonexistent", range: ClosedInterval(low: 0, high: 1))
        ) {
            XCTAssertTrue("\($0)".contains("apt-get install dataset-fashion-mnist"), "\($0)")
        }
    }

    /// The real Fashion-MNIST from Debian's package (CI installs it through make deps).
    func testFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("CI must have dataset-fashion-mnist (make deps)")
            }
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let train = try Dataset.fashionMNIST(range: ClosedInterval(low: 0, high: 1))
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(train.width, 784)
        XCTAssertEqual(train.labels?.first, 9, "the first training image is an ankle boot")
        XCTAssertEqual(Set(train.labels ?? []), Set(0..<10))
        let test = try Dataset.fashionMNIST(test: true, range: ClosedInterval(low: 0, high: 1))
        XCTAssertEqual(test.count, 10_000)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * 784)
        defer { buffer.deallocate() }
        train.fill([0, 1], into: buffer)
        XCTAssertEqual(buffer.min(), 0)
        XCTAssertEqual(buffer.max(), 1)
    }
}

/// Binarisation as batches are filled: threshold at the middle of the range, stochastic with
/// each pixel's value as its probability, drawn again for every batch but the same for one seed.
final class BinarizationTests: XCTestCase {
    func testThresholdAndStochasticBinarization() {
        let bytes = (0..<(200 * 50)).map { UInt8($0 % 256) }
        var data = Dataset(
            storage: .bytes(bytes, range: ClosedInterval(low: 0, high: 1)), width: 50, count: 200, labels: nil,
            classes: 0)
        let indices = ArraySlice(0..<200)
        var plain = [Float](repeating: 0, count: 200 * 50)
        plain.withUnsafeMutableBufferPointer { data.fill(indices, into: $0) }
        data.binarization = .threshold
        var threshold = [Float](repeating: 0, count: 200 * 50)
        threshold.withUnsafeMutableBufferPointer { data.fill(indices, into: $0) }
        XCTAssertEqual(threshold, plain.map { $0 > 0.5 ? 1 : 0 })

        data.binarization = .stochastic
        data.binarizationSeed = 3
        func draw(_ counter: UInt64) -> [Float] {
            var values = [Float](repeating: 0, count: 200 * 50)
            values.withUnsafeMutableBufferPointer { data.fill(indices, into: $0, draw: counter) }
            return values
        }
        let first = draw(1)
        XCTAssertTrue(first.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(first, draw(1))
        XCTAssertNotEqual(first, draw(2))
        // Each value is 1 with probability equal to the pixel: the means agree to a few standard errors.
        let mean = plain.reduce(0, +) / Float(plain.count)
        let drawnMean = first.reduce(0, +) / Float(first.count)
        XCTAssertEqual(drawnMean, mean, accuracy: 4 * (0.25 / Float(first.count)).squareRoot())
    }
}

/// One-hot labels as batches are filled: examples from `labelledBelow` on are unlabelled and
/// get a row of zeros (a label-guided AAE draws them from the whole prior).
final class LabelFillingTests: XCTestCase {
    func testOneHotRowsAndUnlabelledZeros() {
        let data = Dataset(
            storage: .floats(Array(repeating: 0, count: 6)), width: 1, count: 6, labels: [2, 0, 1, 2, 0, 1], classes: 3)
        var buffer = [Float](repeating: -1, count: 4 * 3)
        buffer.withUnsafeMutableBufferPointer { data.fillLabels(ArraySlice([5, 0, 3, 1]), into: $0, labelledBelow: 3) }
        XCTAssertEqual(buffer, [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
        buffer.withUnsafeMutableBufferPointer { data.fillLabels(ArraySlice([5, 0, 3, 1]), into: $0) }
        XCTAssertEqual(buffer, [0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0])
    }
}
