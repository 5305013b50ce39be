import Foundation

/// The exact log-likelihood of a linear-Gaussian model x = W z + b + noise, z ~ N(0, I):
/// x ~ N(b, W^T W + s^2 I). The closed form the VAE estimators are tested against.
public enum LinearGaussian {
    /// Mean log p(x) over `values` (rows of `bias.count`), with `weights` [latent, d] row-major.
    public static func meanLogLikelihood(
        _ values: [Float], weights: [Double], bias: [Double], latent: Int, std: Double
    ) -> Double {
        let d = bias.count
        var covariance = (0..<d).map { i in (0..<d).map { j in i == j ? std * std : 0 } }
        for i in 0..<d {
            for j in 0..<d { for k in 0..<latent { covariance[i][j] += weights[k * d + i] * weights[k * d + j] } }
        }
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
            // Solve L y = x - b; the quadratic form is |y|^2.
            var y = [Double](repeating: 0, count: d)
            for i in 0..<d {
                y[i] = ((0..<i).reduce(Double(values[n * d + i]) - bias[i]) { $0 - l[i][$1] * y[$1] }) / l[i][i]
            }
            total += -0.5 * y.reduce(0) { $0 + $1 * $1 } - 0.5 * logDeterminant - 0.5 * Double(d) * log(2 * Double.pi)
        }
        return total / Double(max(count, 1))
    }
}
