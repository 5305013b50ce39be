/// One dimension of a value's type: the symbolic batch `B`, the symbolic importance-sample
/// count `S`, or a fixed size.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case batch, samples
    case fixed(Int)

    public var description: String {
        switch self {
        case .batch: "B"
        case .samples: "S"
        case .fixed(let size): String(size)
        }
    }

    /// The size once the batch and sample counts are known.
    public func size(batch: Int, samples: Int) -> Int {
        switch self {
        case .batch: batch
        case .samples: samples
        case .fixed(let size): size
        }
    }
}

/// The static type of an IR value: a float32 tensor of symbolic shape, printed `f32[B,784]`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Dim]

    public init(_ dims: [Dim]) { self.dims = dims }

    /// A scalar, `f32[]`.
    public static let scalar = Shape([])

    /// `[B, width]`: one row per example.
    public static func rows(_ width: Int) -> Shape { Shape([.batch, .fixed(width)]) }

    public var description: String { "f32[" + dims.map(\.description).joined(separator: ",") + "]" }

    /// The last dimension's fixed size (features), if any.
    public var width: Int? {
        if case .fixed(let size) = dims.last { return size }
        return nil
    }

    /// This shape with its last dimension replaced.
    public func withWidth(_ width: Int) -> Shape { Shape(dims.dropLast() + [.fixed(width)]) }

    /// Concrete sizes for a batch and sample count.
    public func sizes(batch: Int, samples: Int) -> [Int] { dims.map { $0.size(batch: batch, samples: samples) } }

    /// The number of elements for a batch and sample count.
    public func count(batch: Int, samples: Int) -> Int { sizes(batch: batch, samples: samples).reduce(1, *) }

    /// The shape two operands broadcast to (dimensions aligned from the right; a 1 or a
    /// missing dimension stretches), or nil if they do not broadcast.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        var result: [Dim] = []
        for offset in 1...max(1, max(a.dims.count, b.dims.count)) {
            let x = offset <= a.dims.count ? a.dims[a.dims.count - offset] : nil
            let y = offset <= b.dims.count ? b.dims[b.dims.count - offset] : nil
            switch (x, y) {
            case (nil, nil): break
            case (let d?, nil), (nil, let d?): result.append(d)
            case (let d?, let e?):
                if d == e || e == .fixed(1) {
                    result.append(d)
                } else if d == .fixed(1) {
                    result.append(e)
                } else {
                    return nil
                }
            }
        }
        return Shape(result.reversed())
    }
}
