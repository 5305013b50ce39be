import Foundation
import LatentSpec

/// Sampling, log-density and its gradient for each prior, in double precision.
extension Distribution {
    /// The components of a Gaussian mixture (ring mixtures expanded), or nil for other kinds.
    public func gaussianComponents(dimension: Int) -> [MixtureComponent]? {
        switch self {
        case .normal(let mean, let std): [MixtureComponent(weight: 1, mean: mean, std: std)]
        case .mixture(let components): components
        case .ringMixture(let count, let radius, let std):
            (0..<count).map { index in
                let angle = 2 * Double.pi * Double(index) / Double(count)
                return MixtureComponent(
                    weight: 1 / Double(count), mean: [radius * cos(angle), radius * sin(angle)], std: [std])
            }
        default: nil
        }
    }

    /// One draw of dimension `dimension` from uniforms `u` (at least `dimension + 1` of them)
    /// and standard normals `n` (at least `dimension`).
    public func sample(dimension: Int, uniforms u: [Double], normals n: [Double]) -> [Double] {
        switch self {
        case .normal, .mixture, .ringMixture:
            let components = gaussianComponents(dimension: dimension) ?? []
            var pick = u[0]
            var chosen = components[components.count - 1]
            for component in components {
                if pick < component.weight {
                    chosen = component
                    break
                }
                pick -= component.weight
            }
            return (0..<dimension).map { j in element(chosen.mean, j) + element(chosen.std, j) * n[j] }
        case .categorical(let probabilities):
            var pick = u[0]
            var index = probabilities.count - 1
            for (k, p) in probabilities.enumerated() {
                if pick < p {
                    index = k
                    break
                }
                pick -= p
            }
            return (0..<dimension).map { $0 == index ? 1 : 0 }
        case .uniform(let low, let high):
            return (0..<dimension).map { low + (high - low) * u[$0 + 1] }
        case .swissRoll(let noise):
            let t = 1.5 * Double.pi * (1 + 2 * u[0])
            return [t * cos(t) / 10 + noise * n[0], t * sin(t) / 10 + noise * n[1]]
        }
    }

    /// Row `row` of a draw of width `width` from stream `stream`: the row uses normals
    /// (width+1)·row ... of the stream and uniforms (width+1)·row ... of its companion
    /// stream (bit 30 set), so the two never share Philox words, and rows are independent of
    /// how many rows are drawn and of who draws them.
    public func sample(row: Int, width: Int, philox: Philox, step: UInt64, stream: Int) -> [Double] {
        let base = (width + 1) * row
        let uniforms = (0...width).map { philox.uniform(step: step, stream: stream | 1 << 30, index: base + $0) }
        let normals = (0..<width).map { philox.normal(step: step, stream: stream, index: base + $0) }
        return sample(dimension: width, uniforms: uniforms.map { 1 - $0 }, normals: normals)
    }

    /// log p(z) and its gradient d log p / dz for one row.
    public func logDensity(_ z: [Double]) -> (value: Double, gradient: [Double]) {
        switch self {
        case .normal, .mixture, .ringMixture:
            let components = gaussianComponents(dimension: z.count) ?? []
            var terms: [Double] = []
            var gradients: [[Double]] = []
            for component in components {
                var term = Foundation.log(component.weight)
                var gradient: [Double] = []
                for (j, value) in z.enumerated() {
                    let mean = element(component.mean, j)
                    let std = element(component.std, j)
                    let standardized = (value - mean) / std
                    term +=
                        -0.5 * standardized * standardized - Foundation.log(std) - 0.5 * Foundation.log(2 * Double.pi)
                    gradient.append(-standardized / std)
                }
                terms.append(term)
                gradients.append(gradient)
            }
            let top = terms.max() ?? 0
            let weights = terms.map { Foundation.exp($0 - top) }
            let total = weights.reduce(0, +)
            let gradient = (0..<z.count).map { j in
                zip(weights, gradients).reduce(0) { $0 + $1.0 / total * $1.1[j] }
            }
            return (top + Foundation.log(total), gradient)
        case .categorical(let probabilities):
            let logs = probabilities.map { Foundation.log($0) }
            return (zip(z, logs).reduce(0) { $0 + $1.0 * $1.1 }, Array(logs.prefix(z.count)))
        case .uniform(let low, let high):
            // Zero density outside the support: log p = -infinity there.
            let inside = z.allSatisfy { $0 >= low && $0 <= high }
            return (inside ? -Double(z.count) * Foundation.log(high - low) : -.infinity, Array(repeating: 0, count: z.count))
        case .swissRoll:
            return (.nan, Array(repeating: .nan, count: z.count))
        }
    }

    /// Whether draws are one-hot class codes.
    public var isCategorical: Bool { if case .categorical = self { true } else { false } }

    /// One row of several latents' codes side by side (latent k from stream k), in order.
    public static func sampleCodes(
        _ latents: [(distribution: Distribution, width: Int)], row: Int, philox: Philox, step: UInt64 = 0
    ) -> [Double] {
        latents.enumerated().flatMap { stream, latent in
            latent.distribution.sample(row: row, width: latent.width, philox: philox, step: step, stream: stream)
        }
    }

    private func element(_ vector: [Double], _ index: Int) -> Double { vector.count == 1 ? vector[0] : vector[index] }
}
