import Foundation
import LatentData
import LatentIR

/// Training examples kept compact (bytes for images, floats for synthetic sets) and
/// converted per batch.
public struct Dataset: Sendable {
    public enum Storage: Sendable {
        /// Bytes 0...255 mapped onto `range` per batch.
        case bytes([UInt8], range: ClosedInterval)
        case floats([Float])
    }

    public var storage: Storage
    public var width: Int
    public var count: Int
    /// Class labels, when the source has them.
    public var labels: [Int]?
    public var classes: Int
    /// Whether values become the interval's ends as they are copied out (stochastic draws
    /// follow `binarizationSeed` and the caller's draw counter).
    public var binarization: Binarization = .none
    public var binarizationSeed: UInt64 = 0

    public init(storage: Storage, width: Int, count: Int, labels: [Int]?, classes: Int) {
        self.storage = storage
        self.width = width
        self.count = count
        self.labels = labels
        self.classes = classes
    }

    /// Writes examples `indices` into `destination` (row after row) as float32; `draw`
    /// numbers the batch for stochastic binarisation. An empty destination (a phase that
    /// does not read x, such as a GAN's generator step) takes nothing.
    public func fill(_ indices: ArraySlice<Int>, into destination: UnsafeMutableBufferPointer<Float>, draw: UInt64 = 0)
    {
        guard !destination.isEmpty else { return }
        precondition(
            destination.count >= indices.count * width,
            "a batch of \(indices.count) examples of \(width) values does not fit \(destination.count) floats: validate data with checked(width:labelClasses:)"
        )
        var offset = 0
        for index in indices {
            let start = index * width
            switch storage {
            case .bytes(let bytes, let range):
                let scale = Float(range.high - range.low) / 255
                let low = Float(range.low)
                for j in 0..<width { destination[offset + j] = low + scale * Float(bytes[start + j]) }
            case .floats(let values):
                for j in 0..<width { destination[offset + j] = values[start + j] }
            }
            binarize(
                UnsafeMutableBufferPointer(rebasing: destination[offset..<(offset + width)]), example: index, draw: draw
            )
            offset += width
        }
    }

    /// Threshold: the nearer end of the interval; stochastic: the upper end with probability
    /// equal to the value's position in the interval.
    func binarize(_ row: UnsafeMutableBufferPointer<Float>, example: Int, draw: UInt64) {
        guard binarization != .none else { return }
        let (low, high): (Float, Float)
        if case .bytes(_, let range) = storage {
            (low, high) = (Float(range.low), Float(range.high))
        } else {
            (low, high) = (0, 1)
        }
        let philox = Philox(seed: binarizationSeed ^ 0xB1_4A21)
        for j in row.indices {
            let position = (row[j] - low) / (high - low)
            let cut = binarization == .threshold ? 0.5 : Float(philox.uniform(step: draw, stream: example, index: j))
            row[j] = position > cut ? high : low
        }
    }

    /// The first `count` examples (at most all), row after row, as float32.
    public func first(_ count: Int) -> [Float] {
        let rows = min(count, self.count)
        var values = [Float](repeating: 0, count: rows * width)
        values.withUnsafeMutableBufferPointer { fill(ArraySlice(0..<rows), into: $0) }
        return values
    }

    /// Writes the one-hot labels of examples `indices` into `destination` (nothing for a
    /// phase that reads no labels: an empty destination); examples from `labelledBelow` on
    /// keep no label and get a row of zeros.
    public func fillLabels(
        _ indices: ArraySlice<Int>, into destination: UnsafeMutableBufferPointer<Float>, labelledBelow: Int = .max
    ) {
        guard let labels, !destination.isEmpty else { return }
        precondition(destination.count >= indices.count * classes, "labels of \(classes) classes do not fit the buffer")
        var row = 0
        for index in indices {
            let label = index < labelledBelow ? labels[index] : -1
            for k in 0..<classes { destination[row * classes + k] = label == k ? 1 : 0 }
            row += 1
        }
    }
}

extension Dataset {
    /// This data set, checked against what a model reads: `width` values per example and,
    /// when `labelClasses` is given, a label in 0..<labelClasses for every example (its
    /// one-hot labels are then that wide). `source` names the data in messages.
    public func checked(width: Int, labelClasses: Int?, source: String) throws(DataFiles.Failure) -> Dataset {
        guard self.width == width else {
            throw DataFiles.Failure(
                description: "\(source) has \(self.width) values per example, but the spec's 'shape' has \(width)")
        }
        guard count > 0 else { throw DataFiles.Failure(description: "\(source) holds no examples") }
        guard let classes = labelClasses else { return self }
        guard let labels else {
            throw DataFiles.Failure(
                description:
                    "\(source) has no labels, but the spec reads labels of \(classes) classes"
            )
        }
        if let row = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw DataFiles.Failure(
                description:
                    "\(source): example \(row) has label \(labels[row]), but the spec reads labels of \(classes) classes (0 to \(classes - 1))"
            )
        }
        var result = self
        result.classes = classes
        return result
    }

    /// A built-in synthetic set, generated deterministically from `seed`.
    /// `test` draws a second, independent set from the same distribution (for linear-Gaussian
    /// data, the same W and b).
    public static func synthetic(_ set: SyntheticSet, seed: UInt64, test: Bool = false) -> Dataset {
        let philox = Philox(seed: seed ^ 0x5EED_DA7A)
        let split: UInt64 = test ? 1 : 0
        var values: [Float] = []
        var labels: [Int] = []
        let count = set.count
        func normal(_ i: Int) -> Double { philox.normal(step: split, stream: 1, index: i) }
        func uniform(_ i: Int) -> Double { philox.uniform(step: split, stream: 2, index: i) }
        switch set {
        case .fourPoints:
            for i in 0..<count {
                let point = min(3, Int(uniform(i) * 4))
                values += (0..<4).map { $0 == point ? 1 : 0 }
                labels.append(point)
            }
        case .ring, .grid:
            let (centers, std) = set.modes ?? ([], 0)
            for i in 0..<count {
                let mode = min(centers.count - 1, Int(uniform(i) * Double(centers.count)))
                values += [
                    Float(centers[mode].x + std * normal(2 * i)), Float(centers[mode].y + std * normal(2 * i + 1)),
                ]
                labels.append(mode)
            }
        case .swissRoll(let noise, _):
            for i in 0..<count {
                let t = 1.5 * Double.pi * (1 + 2 * uniform(i))
                values += [
                    Float(t * cos(t) / 10 + noise * normal(2 * i)), Float(t * sin(t) / 10 + noise * normal(2 * i + 1)),
                ]
            }
        case .linearGaussian(let dimension, let latent, let noise, _):
            let model = LinearGaussianData(dimension: dimension, latent: latent, noise: noise, seed: seed)
            for i in 0..<count {
                let z = (0..<latent).map { normal(i * (latent + dimension) + $0) }
                for d in 0..<dimension {
                    let mean = model.bias[d] + (0..<latent).reduce(0) { $0 + model.weights[d][$1] * z[$1] }
                    values.append(Float(mean + noise * normal(i * (latent + dimension) + latent + d)))
                }
            }
        }
        let classes: Int
        switch set {
        case .fourPoints: classes = 4
        case .ring(let modes, _, _, _): classes = modes
        case .grid(let side, _, _, _): classes = side * side
        default: classes = 0
        }
        return Dataset(
            storage: .floats(values), width: set.dimension, count: count, labels: labels.isEmpty ? nil : labels,
            classes: classes)
    }
}

/// The true parameters of `linear_gaussian` data: x = W z + b + noise, z ~ N(0, I).
public struct LinearGaussianData: Sendable {
    public var weights: [[Double]]
    public var bias: [Double]
    public var noise: Double

    public init(dimension: Int, latent: Int, noise: Double, seed: UInt64) {
        let philox = Philox(seed: seed ^ 0x11_7EA2)
        weights = (0..<dimension).map { d in
            (0..<latent).map { philox.normal(step: 0, stream: 3, index: d * latent + $0) }
        }
        bias = (0..<dimension).map { philox.normal(step: 0, stream: 4, index: $0) }
        self.noise = noise
    }
}
