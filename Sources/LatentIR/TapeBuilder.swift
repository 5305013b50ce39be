
/// Appends instructions to a tape, inferring each value's type from its operands. Lowering
/// and autodiff both build tapes with it, so every value is typed by one set of rules.
public struct TapeBuilder: Sendable {
    public private(set) var instructions: [Instruction]

    public init(_ instructions: [Instruction] = []) { self.instructions = instructions }

    public func type(of value: ValueID) -> Shape { instructions[value.index].type }

    /// Appends an op whose type is implied by its operands.
    @discardableResult
    public mutating func emit(_ op: Op) -> ValueID {
        emit(op, type: inferredType(of: op))
    }

    /// Appends an op of an explicit type (sources, and ops whose result shape is a choice).
    @discardableResult
    public mutating func emit(_ op: Op, type: Shape) -> ValueID {
        instructions.append(Instruction(op, type))
        return ValueID(instructions.count - 1)
    }

    /// The type an op's operands imply. Ops whose type is a choice take it from `emit(_:type:)`;
    /// asking for theirs is a compiler bug, caught by `precondition` in debug builds and tests.
    func inferredType(of op: Op) -> Shape {
        switch op {
        case .constant, .meanAll: return .scalar
        case .vector(let values): return Shape([.fixed(values.count)])
        case .matmul(let a, let b, let transposeA, let transposeB):
            let left = type(of: a)
            let right = type(of: b)
            if transposeA { return Shape([left.dims.last ?? .fixed(1), right.dims.last ?? .fixed(1)]) }
            let columns = transposeB ? right.dims.first : right.dims.last
            return left.withWidth(columns.flatMap { if case .fixed(let n) = $0 { n } else { nil } } ?? 1)
        case .unary(_, let a), .logSoftmax(let a), .stopGradient(let a): return type(of: a)
        case .derivative(_, let input, _, _), .batchNorm(let input, _, _, _, _), .batchNormGradient(let input, _, _, _, _, _, _):
            return type(of: input)
        case .batchMoments(let x): return Shape([.fixed(2 * (type(of: x).width ?? 1))])
        case .batchNormSums(_, let moments, _, _, _): return type(of: moments)
        case .activationBackward(_, let output, _): return type(of: output)
        case .dense(let x, let w, _, _): return type(of: x).withWidth(type(of: w).width ?? 1)
        case .elementwise(let kernel):
            switch kernel.reduction {
            case nil: return kernel.domain
            case .sumLast: return kernel.domain.withWidth(1)
            case .meanAll: return .scalar
            }
        case .logPriorGradient(_, let z, _): return type(of: z)
        case .binary(_, let a, let b):
            guard let shape = Shape.broadcast(type(of: a), type(of: b)) else {
                preconditionFailure("operands \(type(of: a)) and \(type(of: b)) do not broadcast")
            }
            return shape
        case .concat(let parts):
            let width = parts.reduce(0) { $0 + (type(of: $1).width ?? 0) }
            return type(of: parts[0]).withWidth(width)
        case .slice(let a, _, let width): return type(of: a).withWidth(width)
        case .sumLast(let a), .logPrior(_, let a): return type(of: a).withWidth(1)
        case .patches(let a, let geometry), .gatheredPatches(let a, let geometry): return Shape(type(of: a).dims.dropLast(3) + geometry.patchDims)
        case .unpatches(let a, let geometry): return Shape(type(of: a).dims.dropLast(3) + geometry.imageDims)
        case .logSumExpFirst(let a), .meanFirst(let a): return Shape(Array(type(of: a).dims.dropFirst()))
        case .input, .parameter, .parameterRows, .update, .productUpdate, .randomNormal, .samplePrior, .padSlice, .expand, .sumTo,
            .broadcastMean, .spreadFirst, .reshape, .average:
            preconditionFailure("\(op) needs an explicit type")
        }
    }

    // MARK: Conveniences

    public mutating func constant(_ value: Double) -> ValueID { emit(.constant(value)) }

    /// Standard normal noise on a new random stream.
    public mutating func randomNormal(_ type: Shape) -> ValueID { emit(.randomNormal(stream: nextStream), type: type) }

    /// A draw from a distribution on a new random stream; with `byLabel`, each row from the
    /// part of the distribution its one-hot label picks.
    public mutating func sample(_ distribution: Prior, _ type: Shape, byLabel: ValueID? = nil) -> ValueID {
        emit(.samplePrior(distribution, stream: nextStream, byLabel: byLabel), type: type)
    }

    /// Streams are numbered in the order lowering creates them.
    var nextStream: Int { instructions.filter(\.op.isRandom).count }
    public mutating func unary(_ function: UnaryFunction, _ a: ValueID) -> ValueID { emit(.unary(function, a)) }
    public mutating func add(_ a: ValueID, _ b: ValueID) -> ValueID { emit(.binary(.add, a, b)) }
    public mutating func sub(_ a: ValueID, _ b: ValueID) -> ValueID { emit(.binary(.sub, a, b)) }
    public mutating func mul(_ a: ValueID, _ b: ValueID) -> ValueID { emit(.binary(.mul, a, b)) }
    public mutating func div(_ a: ValueID, _ b: ValueID) -> ValueID { emit(.binary(.div, a, b)) }
    public mutating func sumLast(_ a: ValueID) -> ValueID { emit(.sumLast(a)) }
    public mutating func meanAll(_ a: ValueID) -> ValueID { emit(.meanAll(a)) }

    /// a * c for a constant c.
    public mutating func scale(_ a: ValueID, by c: Double) -> ValueID { mul(a, constant(c)) }
}
