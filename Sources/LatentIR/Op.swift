
/// A value in a phase's tape: the index of the instruction that defines it (`%n`).
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public var description: String { "%\(index)" }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
}

/// The names of program inputs that more than one stage agrees on.
public enum InputName {
    /// A batch of data.
    public static let data = "x"
    /// The one-hot labels of a batch (`label` in a spec).
    public static let labels = "y"
    /// Every latent's code, in spec order (what `encode` returns and `decode` reads).
    public static let codes = "codes"
    /// The inverse temperature of a tempered log joint (annealed importance sampling).
    public static let beta = "beta"

    /// A training step's n-th batch of data (from 0): `x`, then `x.2`, `x.3`, ...
    public static func batch(_ n: Int) -> String { n == 0 ? data : "\(data).\(n + 1)" }
    /// The one-hot labels of a step's batch whose x is `data` (`x` → `y`, `x.2` → `y.2`).
    public static func labels(ofBatch data: String) -> String { labels + data.dropFirst(Self.data.count) }
    /// A training step's labelled batch: its x and its one-hot labels.
    public static let labelledData = "labelled.x"
    public static let labelledLabels = "labelled.y"
}

/// Elementwise functions of one argument.
public enum UnaryFunction: Hashable, Sendable, CustomStringConvertible {
    case neg, exp, log, square, softplus, sigmoid, logSigmoid, tanh, relu, elu
    case leakyRelu(slope: Double)

    public var description: String {
        switch self {
        case .neg: "neg"
        case .exp: "exp"
        case .log: "log"
        case .square: "square"
        case .softplus: "softplus"
        case .sigmoid: "sigmoid"
        case .logSigmoid: "log_sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .elu: "elu"
        case .leakyRelu(let slope): "leaky_relu(\(slope))"
        }
    }
}

/// Elementwise functions of two arguments, with broadcasting.
public enum BinaryFunction: String, Hashable, Sendable, CustomStringConvertible {
    case add, sub, mul, div
    public var description: String { rawValue }
}

/// The IR's closed set of operations. Operands are values of the same phase.
public enum Op: Hashable, Sendable {
    // Sources.
    /// A named input of the phase, one row per example: `x` (a batch of data), `y` (the
    /// one-hot labels of a labelled batch), `codes`, `beta`; the instruction's type is its shape.
    case input(String)
    /// A trained parameter (index into `Program.parameters`).
    case parameter(Int)
    /// Rows offset..<offset+count of a parameter matrix (a `parameter` or `update` value): a
    /// view, no copy (made by fusion, so a product feeding a slice computes only the sliced
    /// columns).
    case parameterRows(ValueID, offset: Int, count: Int)
    /// A scalar constant.
    case constant(Double)
    /// A constant vector, `f32[n]` (per-dimension prior parameters).
    case vector([Double])
    /// Standard normal noise of the instruction's shape, from random stream `stream` of draw
    /// `draw`: the numbers are a function of (seed, step counter + draw, stream, element).
    case randomNormal(stream: Int, draw: Int = 0)
    /// A draw from a distribution, one row per example (one-hot for a categorical), from
    /// random stream `stream` of draw `draw`. Streams are fixed at lowering and draws when a
    /// step is assembled (a phase's runs on one batch share draws), so passes never change
    /// the numbers. With `byLabel`, a row's one-hot label (`[..., classes]`) picks the part of
    /// the prior it draws from (`Prior.sample(part:of:...)`); a row of zeros draws from the whole.
    case samplePrior(Prior, stream: Int, draw: Int = 0, byLabel: ValueID? = nil)

    // Linear algebra.
    /// a x b over the last axis of a (leading axes are rows); optional transposes for backprop.
    case matmul(ValueID, ValueID, transposeA: Bool, transposeB: Bool)

    // Elementwise.
    case unary(UnaryFunction, ValueID)
    case binary(BinaryFunction, ValueID, ValueID)
    /// upstream * f'(input), where output = f(input): the backward of `unary`.
    case derivative(UnaryFunction, input: ValueID, output: ValueID, upstream: ValueID)

    // Shape.
    /// Concatenation along the last axis.
    case concat([ValueID])
    /// Columns offset..<offset+width of the last axis.
    case slice(ValueID, offset: Int, width: Int)
    /// The adjoint of slice: the value placed at `offset` in zeros of the instruction's width.
    case padSlice(ValueID, offset: Int)
    /// Broadcast to the instruction's shape (the adjoint of sumTo).
    case expand(ValueID)
    /// Sum over the dimensions broadcasting added, down to the instruction's shape.
    case sumTo(ValueID)
    /// Broadcast to the instruction's shape and divided by how many times each element is
    /// repeated (the adjoint of meanAll).
    case broadcastMean(ValueID)

    // Batch normalisation in training: channels on the last axis, the statistics over
    // every other axis (the batch, and an image's positions), x̂ = (x − mean) / √(variance + ε)
    // with ε = `BatchNorm.epsilon`.
    /// x's per-channel mean and (biased) variance over the batch, `f32[2C]`: the C means,
    /// then the C variances.
    case batchMoments(ValueID)
    /// f(x̂ · scale + shift) with the statistics in `moments`, which are x's own
    /// (`batchMoments` of x): the gradient counts their dependence on x. f is nil, relu or a
    /// leaky relu (`UnaryFunction.negativeSlope`), so its derivative follows from the output.
    case batchNorm(ValueID, moments: ValueID, scale: ValueID, shift: ValueID, UnaryFunction?)
    /// The backward's per-channel sums, `f32[2C]`: Σ g (the shift's gradient), then Σ g · x̂
    /// (the scale's), where g = upstream · f′, f′ read from the batch norm's `output`.
    case batchNormSums(ValueID, moments: ValueID, output: ValueID, upstream: ValueID, UnaryFunction?)
    /// The gradient of the batch norm's x: scale / √(variance + ε) · (g − (Σ g + x̂ Σ g · x̂) / N),
    /// N the values per channel, the sums from `batchNormSums`.
    case batchNormGradient(
        ValueID, moments: ValueID, scale: ValueID, sums: ValueID, output: ValueID, upstream: ValueID, UnaryFunction?)

    /// The same values in the same order under the instruction's type (`flatten`, `reshape`).
    case reshape(ValueID)

    // Images, stored channels-last (`[..., H, W, C]`).
    /// The patches of images as `[..., gridH, gridW, K·K·C]`, zeros where a patch overlaps the
    /// padding (im2col): a convolution is a product of patches and weights.
    case patches(ValueID, ConvGeometry)
    /// `patches` that are never stored: every reader is a product taking them as its left
    /// operand, or as the right one of a weight's gradient (x^T patches), which gathers each
    /// block or panel from the image as it needs it (implicit GEMM). Made by fusion.
    case gatheredPatches(ValueID, ConvGeometry)
    /// The adjoint of `patches`: every patch value added at its image position (col2im); a
    /// transposed convolution is the unpatches of a product.
    case unpatches(ValueID, ConvGeometry)

    // Reductions.
    /// Sum over the last axis, keeping it as size 1.
    case sumLast(ValueID)
    /// log sum exp over the first axis (the importance samples), dropping it.
    case logSumExpFirst(ValueID)
    /// Mean over the first axis (the samples), dropping it.
    case meanFirst(ValueID)
    /// Broadcast over a new first axis and divided by its size (the adjoint of meanFirst).
    case spreadFirst(ValueID)
    /// Mean over all elements, to a scalar.
    case meanAll(ValueID)
    /// log softmax over the last axis.
    case logSoftmax(ValueID)

    // Distributions.
    /// log p(z) of a prior, per row (`[..., 1]`).
    case logPrior(Prior, ValueID)
    /// upstream * d log p(z) / dz.
    case logPriorGradient(Prior, ValueID, upstream: ValueID)
    /// Stops gradients: the value itself, treated as a constant by autodiff.
    case stopGradient(ValueID)

    // Optimizer.
    /// The parameter value `parameter` (a `parameter` or an earlier `update`) after one
    /// optimizer step from `gradient`, with the moments of the step's optimizer slot `slot`.
    /// It is written in place: no instruction after it may read `parameter`.
    case update(ValueID, gradient: ValueID, slot: Int)
    /// `update` whose gradient is the product a x b (with the transposes of `matmul`) plus
    /// `addend` if any, applied as each block of the product is computed (made by fusion:
    /// the gradient is never stored).
    case productUpdate(ValueID, a: ValueID, b: ValueID, transposeA: Bool, transposeB: Bool, addend: ValueID?, slot: Int)

    /// The running statistic `parameter` (a `parameter` or an earlier `average`) moved toward
    /// `value` by `momentum`: p + momentum (value − p), written in place like `update`.
    case average(ValueID, value: ValueID, momentum: Double)

    // Fused (made by the fusion pass, after autodiff).
    /// f(x W + b): a dense layer with its bias and activation (nil: identity).
    case dense(ValueID, weight: ValueID, bias: ValueID, UnaryFunction?)
    /// upstream * f'(x) computed from the output y = f(x).
    case activationBackward(UnaryFunction, output: ValueID, upstream: ValueID)
    /// A chain of elementwise ops (and a reduction) in one loop.
    case elementwise(FusedKernel)

    /// The values this op reads.
    public var operands: [ValueID] {
        switch self {
        case .input, .parameter, .constant, .vector, .randomNormal: []
        case .samplePrior(_, _, _, let label): label.map { [$0] } ?? []
        case .matmul(let a, let b, _, _), .binary(_, let a, let b), .update(let a, let b, _), .average(let a, let b, _):
            [a, b]
        case .productUpdate(let p, let a, let b, _, _, let addend, _): [p, a, b] + (addend.map { [$0] } ?? [])
        case .unary(_, let a), .parameterRows(let a, _, _), .reshape(let a), .patches(let a, _), .gatheredPatches(let a, _), .unpatches(let a, _), .slice(let a, _, _), .padSlice(let a, _), .expand(let a), .sumTo(let a), .batchMoments(let a),
            .sumLast(let a), .logSumExpFirst(let a), .meanAll(let a), .logSoftmax(let a), .logPrior(_, let a),
            .stopGradient(let a), .broadcastMean(let a), .meanFirst(let a), .spreadFirst(let a):
            [a]
        case .derivative(_, let input, let output, let upstream): [input, output, upstream]
        case .batchNorm(let x, let moments, let scale, let shift, _): [x, moments, scale, shift]
        case .batchNormSums(let x, let moments, let output, let upstream, _): [x, moments, output, upstream]
        case .batchNormGradient(let x, let moments, let scale, let sums, let output, let upstream, _):
            [x, moments, scale, sums, output, upstream]
        case .concat(let parts): parts
        case .logPriorGradient(_, let z, let upstream): [z, upstream]
        case .dense(let x, let w, let b, _): [x, w, b]
        case .activationBackward(_, let output, let upstream): [output, upstream]
        case .elementwise(let kernel): kernel.inputs
        }
    }

    /// The same op reading other values (`map` applied to each operand).
    public func mapOperands(_ map: (ValueID) -> ValueID) -> Op {
        switch self {
        case .input, .parameter, .constant, .vector, .randomNormal: self
        case .samplePrior(let prior, let stream, let draw, let label):
            .samplePrior(prior, stream: stream, draw: draw, byLabel: label.map(map))
        case .parameterRows(let a, let offset, let count): .parameterRows(map(a), offset: offset, count: count)
        case .update(let p, let g, let slot): .update(map(p), gradient: map(g), slot: slot)
        case .productUpdate(let p, let a, let b, let ta, let tb, let addend, let slot):
            .productUpdate(map(p), a: map(a), b: map(b), transposeA: ta, transposeB: tb, addend: addend.map(map), slot: slot)
        case .matmul(let a, let b, let ta, let tb): .matmul(map(a), map(b), transposeA: ta, transposeB: tb)
        case .unary(let f, let a): .unary(f, map(a))
        case .binary(let f, let a, let b): .binary(f, map(a), map(b))
        case .derivative(let f, let i, let o, let u): .derivative(f, input: map(i), output: map(o), upstream: map(u))
        case .concat(let parts): .concat(parts.map(map))
        case .slice(let a, let offset, let width): .slice(map(a), offset: offset, width: width)
        case .padSlice(let a, let offset): .padSlice(map(a), offset: offset)
        case .expand(let a): .expand(map(a))
        case .sumTo(let a): .sumTo(map(a))
        case .batchMoments(let a): .batchMoments(map(a))
        case .batchNorm(let x, let moments, let scale, let shift, let f):
            .batchNorm(map(x), moments: map(moments), scale: map(scale), shift: map(shift), f)
        case .batchNormSums(let x, let moments, let output, let upstream, let f):
            .batchNormSums(map(x), moments: map(moments), output: map(output), upstream: map(upstream), f)
        case .batchNormGradient(let x, let moments, let scale, let sums, let output, let upstream, let f):
            .batchNormGradient(
                map(x), moments: map(moments), scale: map(scale), sums: map(sums), output: map(output),
                upstream: map(upstream), f)
        case .average(let p, let value, let momentum): .average(map(p), value: map(value), momentum: momentum)
        case .reshape(let a): .reshape(map(a))
        case .patches(let a, let geometry): .patches(map(a), geometry)
        case .gatheredPatches(let a, let geometry): .gatheredPatches(map(a), geometry)
        case .unpatches(let a, let geometry): .unpatches(map(a), geometry)
        case .broadcastMean(let a): .broadcastMean(map(a))
        case .sumLast(let a): .sumLast(map(a))
        case .logSumExpFirst(let a): .logSumExpFirst(map(a))
        case .meanFirst(let a): .meanFirst(map(a))
        case .spreadFirst(let a): .spreadFirst(map(a))
        case .meanAll(let a): .meanAll(map(a))
        case .logSoftmax(let a): .logSoftmax(map(a))
        case .logPrior(let d, let a): .logPrior(d, map(a))
        case .logPriorGradient(let d, let z, let u): .logPriorGradient(d, map(z), upstream: map(u))
        case .stopGradient(let a): .stopGradient(map(a))
        case .dense(let x, let w, let b, let f): .dense(map(x), weight: map(w), bias: map(b), f)
        case .activationBackward(let f, let output, let upstream):
            .activationBackward(f, output: map(output), upstream: map(upstream))
        case .elementwise(let kernel):
            .elementwise(
                FusedKernel(
                    inputs: kernel.inputs.map(map), domain: kernel.domain, steps: kernel.steps,
                    reduction: kernel.reduction))
        }
    }

    /// Whether the op draws random numbers (two such ops are never the same value).
    public var isRandom: Bool {
        switch self {
        case .randomNormal, .samplePrior: true
        default: false
        }
    }

    /// Whether the op writes state outside its value (an optimizer update): never removed,
    /// merged or moved past a read of what it overwrites.
    public var isUpdate: Bool { updatedParameter != nil }

    /// The parameter value an update overwrites (nil for other ops).
    public var updatedParameter: ValueID? {
        switch self {
        case .update(let p, _, _), .productUpdate(let p, _, _, _, _, _, _), .average(let p, _, _): p
        default: nil
        }
    }

    /// Whether the value is a whole parameter: as the step began, or after an update.
    public var isWholeParameter: Bool {
        switch self {
        case .parameter, .update, .productUpdate, .average: true
        default: false
        }
    }

    /// Whether the value lives in the parameter store (a parameter, one of its updates, or a
    /// view of its rows) rather than in the arena.
    public var isParameterValue: Bool {
        switch self {
        case .parameter, .parameterRows, .update, .productUpdate, .average: true
        default: false
        }
    }
}
