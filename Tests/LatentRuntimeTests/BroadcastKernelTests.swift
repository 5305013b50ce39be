import LatentIR
import LatentKernels
import XCTest

/// The kernels that spread a per-channel vector over an image and sum it back: an
/// elementwise input that repeats every `period` values, and a bias gradient's row sums,
/// against plain loops in double precision.
final class BroadcastKernelTests: XCTestCase {
    func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(($0 * 7919 + seed * 104_729) % 2001 - 1000) / 1000 }
    }

    /// relu(x + bias) with the bias repeating every `channels` values, over a domain large
    /// enough to be split between tasks, at one and two threads.
    func testARepeatingInputAddsTheSameChannelEverywhere() {
        for (channels, pixels) in [(32, 4096), (16, 3), (48, 700)] {
            let count = channels * pixels
            let x = values(count, seed: 1)
            let bias = values(channels, seed: 2)
            let expected = (0..<count).map { max(0, Double(x[$0]) + Double(bias[$0 % channels])) }
            for threads in [1, 2] {
                var out = [Float](repeating: .nan, count: count)
                x.withUnsafeBufferPointer { x in
                    bias.withUnsafeBufferPointer { bias in
                        guard let x = x.baseAddress, let bias = bias.baseAddress else { return XCTFail("no storage") }
                        ElementwiseKernel(
                            steps: [.input(0), .input(1), .binary(.add, 0, 1), .unary(.relu, 2)],
                            sources: [
                                .init(base: x, offsets: nil, splat: false),
                                .init(base: bias, offsets: nil, splat: false, period: channels),
                            ],
                            rows: 1, width: count, reduction: nil
                        ).run(into: &out, pool: .with(threads: threads))
                    }
                }
                let worst = zip(out, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-6, "\(channels) channels, \(threads) threads")
            }
        }
    }

    /// Column sums over rows for vector widths, a single column and an odd width.
    func testRowSumsAddEveryRowOfEachColumn() {
        for (rows, width) in [(1000, 32), (78_401, 1), (333, 3), (5, 64), (0, 16)] {
            let source = values(rows * width, seed: 3)
            var out = [Float](repeating: .nan, count: width)
            Kernels.sumRows(source, rows: rows, width: width, into: &out)
            for j in 0..<width {
                let expected = (0..<rows).reduce(0.0) { $0 + Double(source[$1 * width + j]) }
                XCTAssertEqual(Double(out[j]), expected, accuracy: 1e-5 * Double(max(rows, 1)), "\(rows) x \(width), column \(j)")
            }
        }
    }
}
