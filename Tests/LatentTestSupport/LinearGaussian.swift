import Foundation

/// Exact log-likelihoods of linear-Gaussian models, the closed forms the estimators are
/// tested against: one layer, x = W z + b + noise with z ~ N(0, I), so x ~ N(b, W^T W + s^2 I);
/// or two, h1 = A h2 + a + noise, x = B h1 + b + noise.
public enum LinearGaussian {
    /// Mean log p(x) over `values` (rows of `bias.count`), with `weights` [latent, d] row-major.
    public static func meanLogLikelihood(
        _ values: [Float], weights: [Double], bias: [Double], latent: Int, std: Double
    ) -> Double {
        let d = bias.count
        let covariance = (0..<d).map { i in
            (0..<d).map { j in (0..<latent).reduce(i == j ? std * std : 0) { $0 + weights[$1 * d + i] * weights[$1 * d + j] } }
        }
        return meanLogDensity(values, mean: bias, covariance: covariance)
    }

    /// Mean log p(x) under h2 ~ N(0, I), h1 ~ N(A^T h2 + a, s1^2 I), x ~ N(B^T h1 + b, s^2 I),
    /// with A [top, middle] and B [middle, d] row-major (as dense layers store them).
    public static func twoLayerMeanLogLikelihood(
        _ values: [Float], top: (weights: [Double], bias: [Double], std: Double),
        bottom: (weights: [Double], bias: [Double], std: Double)
    ) -> Double {
        let (mean, covariance) = twoLayerMoments(top: top, bottom: bottom)
        return meanLogDensity(values, mean: mean, covariance: covariance)
    }

    /// The mean and covariance of x in the two-layer model (see `twoLayerMeanLogLikelihood`),
    /// without x's own noise when `observationNoise` is false (the moments of B^T h1 + b).
    public static func twoLayerMoments(
        top: (weights: [Double], bias: [Double], std: Double), bottom: (weights: [Double], bias: [Double], std: Double),
        observationNoise: Bool = true
    ) -> (mean: [Double], covariance: [[Double]]) {
        let middle = top.bias.count
        let d = bottom.bias.count
        let upper = top.weights.count / max(middle, 1)
        // Cov(h1) = A^T A + s1^2 I; then Cov(x) = B^T Cov(h1) B (+ s^2 I).
        let hidden = (0..<middle).map { i in
            (0..<middle).map { j in
                (0..<upper).reduce(i == j ? top.std * top.std : 0) { $0 + top.weights[$1 * middle + i] * top.weights[$1 * middle + j] }
            }
        }
        let mean = (0..<d).map { j in (0..<middle).reduce(bottom.bias[j]) { $0 + top.bias[$1] * bottom.weights[$1 * d + j] } }
        let covariance = (0..<d).map { i in
            (0..<d).map { j in
                var sum = observationNoise && i == j ? bottom.std * bottom.std : 0
                for k in 0..<middle {
                    for l in 0..<middle { sum += bottom.weights[k * d + i] * hidden[k][l] * bottom.weights[l * d + j] }
                }
                return sum
            }
        }
        return (mean, covariance)
    }

    /// Mean log N(x; mean, covariance) over `values` (rows of `mean.count`).
    public static func meanLogDensity(_ values: [Float], mean: [Double], covariance: [[Double]]) -> Double {
        let d = mean.count
        // Cholesky: covariance = L L^T.
        var l = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for i in 0..<d {
            for j in 0...i {
                let sum = (0..<j).reduce(covariance[i][j]) { $0 - l[i][$1] * l[j][$1] }
                l[i][j] = i == j ? sum.squareRoot() : sum / l[j][j]
            }
        }
        let logDeterminant = 2 * (0..<d).reduce(0) { $0 + log(l[$1][$1]) }
        let count = values.count / d
        var total = 0.0
        for n in 0..<count {
            // Solve L y = x - mean; the quadratic form is |y|^2.
            var y = [Double](repeating: 0, count: d)
            for i in 0..<d {
                y[i] = ((0..<i).reduce(Double(values[n * d + i]) - mean[i]) { $0 - l[i][$1] * y[$1] }) / l[i][i]
            }
            total += -0.5 * y.reduce(0) { $0 + $1 * $1 } - 0.5 * logDeterminant - 0.5 * Double(d) * log(2 * Double.pi)
        }
        return total / Double(max(count, 1))
    }
}
