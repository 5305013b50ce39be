import Foundation

/// A training batch norm's meaning in double precision (the reference interpreter's): x is
/// `[rows, C]` row-major, channels last, each channel normalised over the rows.
public enum BatchNorm {
    /// Added to the variance before its square root (PyTorch's ε).
    public static let epsilon = 1e-5

    /// The per-channel means, then the (biased) variances, each summed about the mean.
    public static func moments(_ x: [Double], channels: Int) -> [Double] {
        let rows = Double(max(x.count / max(channels, 1), 1))
        var mean = [Double](repeating: 0, count: channels)
        for (i, value) in x.enumerated() { mean[i % channels] += value / rows }
        var variance = [Double](repeating: 0, count: channels)
        for (i, value) in x.enumerated() { variance[i % channels] += (value - mean[i % channels]) * (value - mean[i % channels]) / rows }
        return mean + variance
    }

    /// 1 / √(variance + ε) of channel c.
    static func inverseDeviation(_ moments: [Double], _ c: Int) -> Double {
        1 / (moments[moments.count / 2 + c] + epsilon).squareRoot()
    }

    /// f(x̂ · scale + shift).
    public static func forward(
        _ x: [Double], moments: [Double], scale: [Double], shift: [Double], _ f: UnaryFunction?
    ) -> [Double] {
        let channels = scale.count
        return x.indices.map { i in
            let c = i % channels
            let y = (x[i] - moments[c]) * inverseDeviation(moments, c) * scale[c] + shift[c]
            return f?.apply(y) ?? y
        }
    }

    /// g = upstream · f′ (from the output) of each element.
    static func upstream(_ output: [Double], _ upstream: [Double], _ f: UnaryFunction?) -> [Double] {
        zip(output, upstream).map { y, dy in dy * (f?.derivative(fromOutput: y) ?? 1) }
    }

    /// Σ g per channel, then Σ g · x̂.
    public static func sums(
        _ x: [Double], moments: [Double], output: [Double], upstream dy: [Double], _ f: UnaryFunction?
    ) -> [Double] {
        let channels = moments.count / 2
        let g = upstream(output, dy, f)
        var sums = [Double](repeating: 0, count: 2 * channels)
        for i in x.indices {
            let c = i % channels
            sums[c] += g[i]
            sums[channels + c] += g[i] * (x[i] - moments[c]) * inverseDeviation(moments, c)
        }
        return sums
    }

    /// x's gradient: scale / √(variance + ε) · (g − (Σ g + x̂ Σ g · x̂) / N).
    public static func gradient(
        _ x: [Double], moments: [Double], scale: [Double], sums: [Double], output: [Double], upstream dy: [Double],
        _ f: UnaryFunction?
    ) -> [Double] {
        let channels = scale.count
        let rows = Double(max(x.count / max(channels, 1), 1))
        let g = upstream(output, dy, f)
        return x.indices.map { i in
            let c = i % channels
            let inverse = inverseDeviation(moments, c)
            let normalized = (x[i] - moments[c]) * inverse
            return scale[c] * inverse * (g[i] - (sums[c] + normalized * sums[channels + c]) / rows)
        }
    }
}

extension UnaryFunction {
    /// The factor of negative inputs for a piecewise-linear activation (relu 0, leaky relu its
    /// slope); nil for the others.
    public var negativeSlope: Double? {
        switch self {
        case .relu: 0
        case .leakyRelu(let slope): slope
        default: nil
        }
    }
}
