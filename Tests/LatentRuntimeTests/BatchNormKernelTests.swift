import LatentIR
import LatentKernels
import LatentTestSupport
import XCTest

/// The executor's batch-norm kernels against the double-precision definition (`BatchNorm`),
/// for channel counts on and off the 16-lane vectors and rows over several chunks, at one
/// and two threads: the same numbers at both.
final class BatchNormKernelTests: XCTestCase {
    func testKernelsMatchTheDefinitionAtAnyThreadCount() {
        var random = TestRandom(11)
        for (rows, channels) in [(37, 5), (300, 16), (41, 21), (2, 40), (1000, 3), (5, 700)] {
            for slope in [Float(1), 0, 0.2] {
                let f: UnaryFunction? = slope == 1 ? nil : slope == 0 ? .relu : .leakyRelu(slope: Double(slope))
                let x = random.tensor([rows, channels], scale: 2, offset: 3).values
                let scale = random.tensor([channels]).values
                let shift = random.tensor([channels]).values
                let upstream = random.tensor([rows, channels]).values
                let moments = BatchNorm.moments(x, channels: channels)
                let output = BatchNorm.forward(x, moments: moments, scale: scale, shift: shift, f)
                let sums = BatchNorm.sums(x, moments: moments, output: output, upstream: upstream, f)
                let gradient = BatchNorm.gradient(
                    x, moments: moments, scale: scale, sums: sums, output: output, upstream: upstream, f)
                var results: [[[Float]]] = []
                for threads in [1, 2] {
                    let pool = WorkerPool.with(threads: threads)
                    let ours = Self.run(
                        x.map(Float.init), scale.map(Float.init), shift.map(Float.init), upstream.map(Float.init),
                        rows: rows, channels: channels, slope: slope, pool: pool)
                    let name = "\(rows)x\(channels), slope \(slope), \(threads) threads"
                    Self.assertClose(ours[0], moments, 1e-4, "moments, \(name)")
                    Self.assertClose(ours[1], output, 1e-4, "output, \(name)")
                    Self.assertClose(ours[2], sums, 1e-3, "sums, \(name)")
                    Self.assertClose(ours[3], gradient, 1e-4, "gradient, \(name)")
                    results.append(ours)
                }
                XCTAssertEqual(results[0], results[1], "\(rows)x\(channels): bit-identical at 1 and 2 threads")
            }
        }
    }

    /// moments, output, sums and gradient, each kernel reading the last one's results.
    static func run(
        _ x: [Float], _ scale: [Float], _ shift: [Float], _ upstream: [Float], rows: Int, channels: Int, slope: Float,
        pool: WorkerPool
    ) -> [[Float]] {
        var moments = [Float](repeating: .nan, count: 2 * channels)
        var output = [Float](repeating: .nan, count: x.count)
        var sums = [Float](repeating: .nan, count: 2 * channels)
        var gradient = [Float](repeating: .nan, count: x.count)
        let epsilon = BatchNorm.epsilon
        Kernels.batchMoments(x, rows: rows, channels: channels, into: &moments, pool: pool)
        Kernels.batchNorm(
            x, rows: rows, channels: channels, moments: moments, scale: scale, shift: shift, slope: slope,
            epsilon: epsilon, into: &output, pool: pool)
        Kernels.batchNormSums(
            x, rows: rows, channels: channels, moments: moments, output: output, upstream: upstream, slope: slope,
            epsilon: epsilon, into: &sums, pool: pool)
        Kernels.batchNormGradient(
            x, rows: rows, channels: channels, moments: moments, scale: scale, sums: sums, output: output,
            upstream: upstream, slope: slope, epsilon: epsilon, into: &gradient, pool: pool)
        return [moments, output, sums, gradient]
    }

    /// Each value within `tolerance` relative to the largest of `expected`.
    static func assertClose(
        _ got: [Float], _ expected: [Double], _ tolerance: Double, _ message: String, line: UInt = #line
    ) {
        XCTAssertEqual(got.count, expected.count, message, line: line)
        let size = max(expected.map(abs).max() ?? 1, 1)
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
        XCTAssertLessThan(worst / size, tolerance, message, line: line)
    }
}
