import Foundation
import LatentData

extension SyntheticSet {
    /// The centres of a ring's or grid's Gaussians and their standard deviation (nil for
    /// sets without modes).
    public var modes: (centers: [SIMD2<Double>], std: Double)? {
        switch self {
        case .ring(let modes, let radius, let std, _):
            let centers = (0..<modes).map { mode in
                let angle = 2 * Double.pi * Double(mode) / Double(modes)
                return SIMD2(radius * cos(angle), radius * sin(angle))
            }
            return (centers, std)
        case .grid(let side, let spacing, let std, _):
            let middle = Double(side - 1) / 2
            let centers = (0..<(side * side)).map { mode in
                SIMD2((Double(mode % side) - middle) * spacing, (Double(mode / side) - middle) * spacing)
            }
            return (centers, std)
        default:
            return nil
        }
    }
}

/// How well 2-D samples cover a mixture's modes (the GAN mode-collapse measure of the
/// unrolled-GAN and PacGAN papers): a sample is of high quality when it lies within three
/// standard deviations of a mode's centre, and a mode is covered when at least `minimum`
/// samples are of high quality near it (PacGAN: 20 of 2,500).
public struct ModeCoverage: Sendable {
    public let covered: Int
    public let modes: Int
    public let highQualityFraction: Double

    /// `samples` holds (x, y) pairs; nil when the set has no modes.
    public init?(samples: [Float], set: SyntheticSet, minimum: Int = 20) {
        guard let (centers, std) = set.modes else { return nil }
        var counts = Array(repeating: 0, count: centers.count)
        var highQuality = 0
        let pairs = samples.count / 2
        for i in 0..<pairs {
            let point = SIMD2(Double(samples[2 * i]), Double(samples[2 * i + 1]))
            let distances = centers.map { (($0 - point) * ($0 - point)).sum() }
            guard let nearest = distances.indices.min(by: { distances[$0] < distances[$1] }),
                distances[nearest] <= 9 * std * std
            else { continue }
            counts[nearest] += 1
            highQuality += 1
        }
        covered = counts.filter { $0 >= minimum }.count
        modes = centers.count
        highQualityFraction = Double(highQuality) / Double(max(pairs, 1))
    }
}
