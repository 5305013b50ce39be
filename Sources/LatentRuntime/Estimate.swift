import Foundation
import LatentKernels

/// A Monte-Carlo estimate: the mean of per-example values with its standard error.
public struct Estimate: Sendable, Equatable {
    public var mean: Double
    public var standardError: Double
    /// How many values it averages.
    public var count: Int
    /// The per-example values (empty for a fraction of trials).
    public var values: [Double] = []

    public init(_ values: [Double]) {
        self.values = values
        count = values.count
        let mean = values.reduce(0, +) / Double(max(values.count, 1))
        self.mean = mean
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))
        standardError = (variance / Double(max(values.count, 1))).squareRoot()
    }

    /// A fraction of `count` trials, with its binomial standard error.
    public init(fraction: Double, of count: Int) {
        self.count = count
        mean = fraction
        standardError = (fraction * (1 - fraction) / Double(max(count, 1))).squareRoot()
    }
}

/// log sum exp of values arriving in pieces, kept stable by a running maximum.
public struct StreamingLogSumExp: Sendable {
    public private(set) var top = -Double.infinity
    public private(set) var sum = 0.0

    public init() {}

    public mutating func add(_ value: Double) {
        if value > top {
            sum = sum * Foundation.exp(top - value) + 1
            top = value
        } else {
            sum += Foundation.exp(value - top)
        }
    }

    public var value: Double { top + Foundation.log(sum) }
}

/// The Parzen-window (Gaussian kernel density) log-likelihood the GAN and AAE papers
/// report: log p(x) = log mean_i N(x; s_i, sigma^2 I) over model samples s_i.
public enum Parzen {
    /// Mean log-density of each row of `points` (`width` values each) under the window of
    /// `samples` with bandwidth `sigma`; squared distances come from one matrix product.
    public static func logDensities(
        _ points: [Float], samples: [Float], width: Int, sigma: Double, pool: WorkerPool = .with(threads: 1)
    ) -> [Double] {
        let pointCount = points.count / width
        let sampleCount = samples.count / width
        func squaredNorms(_ rows: ArraySlice<Float>) -> [Double] {
            stride(from: rows.startIndex, to: rows.endIndex, by: width).map { start in
                rows[start..<(start + width)].reduce(0.0) { $0 + Double($1) * Double($1) }
            }
        }
        let sampleNorms = squaredNorms(samples[...])
        let constant =
            -Foundation.log(Double(sampleCount)) - Double(width) / 2 * Foundation.log(2 * Double.pi * sigma * sigma)
        let chunk = 64
        var products = [Float](repeating: 0, count: chunk * sampleCount)
        var result: [Double] = []
        for start in stride(from: 0, to: pointCount, by: chunk) {
            let rows = min(chunk, pointCount - start)
            let block = points[(start * width)..<((start + rows) * width)]
            let norms = squaredNorms(block)
            Array(block).withUnsafeBufferPointer { a in
                samples.withUnsafeBufferPointer { b in
                    products.withUnsafeMutableBufferPointer { c in
                        guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                        Kernels.gemm(
                            a, b, c, rows: rows, inner: width, rightRows: sampleCount, rightColumns: width,
                            transposeA: false, transposeB: true, pool: pool)
                    }
                }
            }
            for row in 0..<rows {
                var total = StreamingLogSumExp()
                for i in 0..<sampleCount {
                    let distance = max(0, norms[row] + sampleNorms[i] - 2 * Double(products[row * sampleCount + i]))
                    total.add(-distance / (2 * sigma * sigma))
                }
                result.append(total.value + constant)
            }
        }
        return result
    }
}
