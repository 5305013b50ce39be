/// A dense row-major tensor of doubles, for the reference interpreter.
public struct Tensor: Hashable, Sendable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.values = values
    }

    public init(shape: [Int], repeating value: Double = 0) {
        self.init(shape: shape, values: Array(repeating: value, count: shape.reduce(1, *)))
    }

    public static func scalar(_ value: Double) -> Tensor { Tensor(shape: [], values: [value]) }

    public var count: Int { values.count }
    /// The size of the last axis (1 for a scalar).
    public var width: Int { shape.last ?? 1 }
    /// The number of rows: all elements over the last axis.
    public var rows: Int { width == 0 ? 0 : count / width }

    /// Element `index` of `self` read as if broadcast to `target` (right-aligned).
    public func broadcastIndex(_ index: Int, in target: [Int]) -> Int {
        var remaining = index
        var result = 0
        var step = 1
        for axis in Swift.stride(from: target.count - 1, through: 0, by: -1) {
            let coordinate = remaining % target[axis]
            remaining /= target[axis]
            let own = axis - (target.count - shape.count)
            if own >= 0 {
                if shape[own] != 1 { result += coordinate * step }
                step *= shape[own]
            }
        }
        return result
    }

    /// This tensor broadcast to a larger shape.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let count = target.reduce(1, *)
        return Tensor(shape: target, values: (0..<count).map { values[broadcastIndex($0, in: target)] })
    }

    /// This tensor summed down to a shape it broadcasts from.
    public func sum(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let source = Tensor(shape: target, repeating: 0)
        var result = source.values
        for index in 0..<count { result[source.broadcastIndex(index, in: shape)] += values[index] }
        return Tensor(shape: target, values: result)
    }
}
