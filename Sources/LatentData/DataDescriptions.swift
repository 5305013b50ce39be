/// What a data set is, as the spec language describes it and the runtime builds it: value
/// ranges, binarisation, file formats and the synthetic sets.

/// A closed interval of reals, `[low, high]`.
public struct ClosedInterval: Hashable, Sendable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
}

/// How real-valued pixels become binary values, if at all.
public enum Binarization: String, CaseIterable, Sendable {
    case none, threshold, stochastic
}

/// File formats the data loaders read.
public enum DataFileFormat: String, CaseIterable, Sendable {
    case idx, npy, csv
}

/// Built-in synthetic data sets, for toy problems and tests.
public enum SyntheticSet: Hashable, Sendable {
    /// The AVB paper's toy data: four one-hot vectors of length 4, drawn uniformly.
    case fourPoints(count: Int)
    /// `modes` Gaussians of standard deviation `std` on a circle of `radius`.
    case ring(modes: Int, radius: Double, std: Double, count: Int)
    /// A `side` x `side` grid of Gaussians `spacing` apart.
    case grid(side: Int, spacing: Double, std: Double, count: Int)
    /// A 2-D swiss roll with Gaussian noise.
    case swissRoll(noise: Double, count: Int)
    /// x = W z + b + noise with z ~ N(0, I): a model with an exact log-likelihood.
    case linearGaussian(dimension: Int, latentDimension: Int, noise: Double, count: Int)

    public var dimension: Int {
        switch self {
        case .fourPoints: 4
        case .ring, .grid, .swissRoll: 2
        case .linearGaussian(let dimension, _, _, _): dimension
        }
    }

    /// The number of examples generated.
    public var count: Int {
        switch self {
        case .fourPoints(let count), .ring(_, _, _, let count), .grid(_, _, _, let count), .swissRoll(_, let count),
            .linearGaussian(_, _, _, let count):
            count
        }
    }

    /// Ring and grid examples are labelled by their mode; four-points by its point.
    public var hasLabels: Bool {
        switch self {
        case .fourPoints, .ring, .grid: true
        case .swissRoll, .linearGaussian: false
        }
    }

    /// Whether every value is 0 or 1 (so a Bernoulli likelihood fits).
    public var isBinary: Bool {
        if case .fourPoints = self { return true }
        return false
    }
}
