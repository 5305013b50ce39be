import Foundation

/// Sampling, log-density and its gradient for each prior, in double precision.
extension Prior {
    /// The components of a Gaussian mixture (ring mixtures expanded), or nil for other kinds.
    public func gaussianComponents(dimension: Int) -> [Component]? {
        switch self {
        case .normal(let mean, let std): [Component(weight: 1, mean: mean, std: std)]
        case .mixture(let components): components
        case .ringMixture(let count, let radius, let std):
            (0..<count).map { index in
                let angle = 2 * Double.pi * Double(index) / Double(count)
                return Component(
                    weight: 1 / Double(count), mean: [radius * cos(angle), radius * sin(angle)], std: [std])
            }
        default: nil
        }
    }

    /// One draw of dimension `dimension` from uniforms `u(0...dimension)` and standard
    /// normals `n(0..<dimension)`, element j handed to `write(j, value)`: no arrays, so the
    /// executor draws rows without allocating. With `part` (index k of n, for a prior that
    /// `splits(into: n)`), the draw comes from the k-th part: a mixture's k-th component, or
    /// the k-th of n equal stretches of a swiss roll's arc.
    @inline(__always)
    public func sample(
        dimension: Int, part: (index: Int, count: Int)? = nil, uniform u: (Int) -> Double, normal n: (Int) -> Double,
        write: (Int, Double) -> Void
    ) {
        switch self {
        case .normal(let mean, let std):
            for j in 0..<dimension { write(j, element(mean, j) + element(std, j) * n(j)) }
        case .mixture, .ringMixture:
            let components = gaussianComponents(dimension: dimension) ?? []
            let index = part.map { min($0.index, components.count - 1) } ?? Prior.pick(components.count, u(0)) { components[$0].weight }
            let chosen = components[index]
            for j in 0..<dimension { write(j, element(chosen.mean, j) + element(chosen.std, j) * n(j)) }
        case .categorical(let probabilities):
            let index = Prior.pick(probabilities.count, u(0)) { probabilities[$0] }
            for j in 0..<dimension { write(j, j == index ? 1 : 0) }
        case .uniform(let low, let high):
            for j in 0..<dimension { write(j, low + (high - low) * u(j + 1)) }
        case .swissRoll(let noise):
            let position = part.map { (Double($0.index) + u(0)) / Double(max($0.count, 1)) } ?? u(0)
            let t = 1.5 * Double.pi * (1 + 2 * position)
            write(0, t * cos(t) / 10 + noise * n(0))
            write(1, t * sin(t) / 10 + noise * n(1))
        }
    }

    /// The index a uniform draw `u` in [0, 1) picks from `count` weights `weight(k)` that sum
    /// to 1 (the last when rounding leaves `u` beyond them all); no array, so rows draw
    /// without allocating.
    @inline(__always)
    static func pick(_ count: Int, _ u: Double, weight: (Int) -> Double) -> Int {
        var rest = u
        for k in 0..<count {
            if rest < weight(k) { return k }
            rest -= weight(k)
        }
        return count - 1
    }

    /// Row `row` of a draw of width `width` from stream `stream`, element j handed to
    /// `write(j, value)`: the row uses normals (width+1)·row ... of the stream and uniforms
    /// (width+1)·row ... of its companion stream (bit 30 set), so the two never share
    /// Philox words, and rows are independent of how many rows are drawn and of who draws them.
    @inline(__always)
    public func sample(
        row: Int, width: Int, part: (index: Int, count: Int)? = nil, philox: Philox, step: UInt64, stream: Int,
        write: (Int, Double) -> Void
    ) {
        let base = (width + 1) * row
        if case .normal(let mean, let std) = self {
            philox.normals(step: step, stream: stream, from: base, count: width) { j, n in
                write(j, element(mean, j) + element(std, j) * n)
            }
            return
        }
        sample(
            dimension: width, part: part,
            uniform: { 1 - philox.uniform(step: step, stream: stream | 1 << 30, index: base + $0) },
            normal: { philox.normal(step: step, stream: stream, index: base + $0) }, write: write)
    }

    /// Row `row` of a draw, as an array (see `sample(row:width:part:philox:step:stream:write:)`).
    public func sample(
        row: Int, width: Int, part: (index: Int, count: Int)? = nil, philox: Philox, step: UInt64, stream: Int
    ) -> [Double] {
        var result = [Double](repeating: 0, count: width)
        sample(row: row, width: width, part: part, philox: philox, step: step, stream: stream) { result[$0] = $1 }
        return result
    }

    /// The part a one-hot label row picks: the index of its largest value of `count`, or nil
    /// for a row of zeros (an example without a label draws from the whole prior).
    @inline(__always)
    public static func part(ofLabel label: (Int) -> Double, count: Int) -> (index: Int, count: Int)? {
        var best = -1
        var largest = 0.0
        for k in 0..<count where label(k) > largest {
            best = k
            largest = label(k)
        }
        return best < 0 ? nil : (best, count)
    }

    /// log p(z) of one row, z_j read through `z(j)`, with d log p / dz_j handed to
    /// `gradient(j, value)` when given. A single Gaussian needs no storage; a mixture keeps
    /// its components' log-weights on the stack.
    @inline(__always)
    public func logDensity(
        dimension: Int, _ z: (Int) -> Double, gradient: ((Int, Double) -> Void)? = nil
    ) -> Double {
        let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)
        switch self {
        case .normal(let mean, let std):
            var value = 0.0
            for j in 0..<dimension {
                let s = element(std, j)
                let standardized = (z(j) - element(mean, j)) / s
                value += -0.5 * standardized * standardized - Foundation.log(s) - halfLogTwoPi
                gradient?(j, -standardized / s)
            }
            return value
        case .mixture, .ringMixture:
            let components = gaussianComponents(dimension: dimension) ?? []
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(components.count, 1)) { terms in
                for (k, component) in components.enumerated() {
                    terms[k] = Foundation.log(component.weight)
                        + Prior.normal(mean: component.mean, std: component.std).logDensity(
                            dimension: dimension, z)
                }
                let top = terms.prefix(components.count).max() ?? 0
                var total = 0.0
                for k in components.indices { total += Foundation.exp(terms[k] - top) }
                if let gradient {
                    for j in 0..<dimension {
                        var sum = 0.0
                        for (k, component) in components.enumerated() {
                            let s = element(component.std, j)
                            sum += Foundation.exp(terms[k] - top) / total * (-(z(j) - element(component.mean, j)) / (s * s))
                        }
                        gradient(j, sum)
                    }
                }
                return top + Foundation.log(total)
            }
        case .categorical(let probabilities):
            var value = 0.0
            for j in 0..<dimension {
                let log = Foundation.log(probabilities[j])
                value += z(j) * log
                gradient?(j, log)
            }
            return value
        case .uniform(let low, let high):
            // Zero density outside the support: log p = -infinity there.
            var inside = true
            for j in 0..<dimension {
                inside = inside && z(j) >= low && z(j) <= high
                gradient?(j, 0)
            }
            return inside ? -Double(dimension) * Foundation.log(high - low) : -.infinity
        case .swissRoll:
            for j in 0..<dimension { gradient?(j, .nan) }
            return .nan
        }
    }

    /// log p(z) and its gradient d log p / dz for one row.
    public func logDensity(_ z: [Double]) -> (value: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: z.count)
        let value = logDensity(dimension: z.count, { z[$0] }) { gradient[$0] = $1 }
        return (value, gradient)
    }

    /// One row of several latents' codes side by side (latent k from stream k), in order.
    public static func sampleCodes(
        _ latents: [(distribution: Prior, width: Int)], row: Int, philox: Philox, step: UInt64 = 0
    ) -> [Double] {
        latents.enumerated().flatMap { stream, latent in
            latent.distribution.sample(row: row, width: latent.width, philox: philox, step: step, stream: stream)
        }
    }

    private func element(_ vector: [Double], _ index: Int) -> Double { vector.count == 1 ? vector[0] : vector[index] }
}
