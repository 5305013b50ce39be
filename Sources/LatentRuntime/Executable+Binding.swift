import LatentIR
import LatentKernels

extension Executable {
    /// The vector kernel of an elementwise instruction (unary, binary, derivatives, fused
    /// chains, broadcasts), or of a dense layer's activation when the matrix product's
    /// epilogue cannot apply it; nil for everything else.
    func vectorKernel(for instruction: BoundInstruction, batch: Int, samples: Int) -> ElementwiseKernel? {
        let out = pointer(instruction.location)
        if case .dense(_, _, _, let f?) = instruction.op, Self.epilogueSlope(f) == nil {
            let source = ElementwiseKernel.Source(base: out, offsets: nil, splat: false)
            return ElementwiseKernel(
                steps: [.input(0), .unary(f, 0)], sources: [source], rows: 1, width: instruction.count, reduction: nil)
        }
        guard let form = Self.elementwiseForm(instruction.op, shape: instruction.shape, operandCount: { bound[$0.index].count })
        else { return nil }
        let domain = form.domain?.sizes(batch: batch, samples: samples) ?? instruction.shape
        let count = domain.reduce(1, *)
        let shapes = form.inputs.map { bound[$0.index].shape }
        // An input of the domain's trailing dimensions in whole vectors (a bias over an
        // image's channels) repeats along a domain seen as one row.
        func period(_ shape: [Int]) -> Int {
            let size = shape.reduce(1, *)
            let trailing = shape.drop { $0 == 1 }
            return shape != domain && size % 16 == 0 && domain.suffix(trailing.count).elementsEqual(trailing) ? size : 0
        }
        let merged =
            form.reduction != .sumLast
            && shapes.allSatisfy { $0 == domain || $0.reduce(1, *) == 1 || period($0) > 0 }
        let width = merged ? count : (domain.last ?? 1)
        let rows = count / max(width, 1)
        let sources = zip(form.inputs, shapes).map { value, shape in
            let base = UnsafePointer(pointer(bound[value.index].location))
            if merged || shape == domain {
                let period = merged ? period(shape) : 0
                return ElementwiseKernel.Source(
                    base: base, offsets: nil, splat: shape != domain && count > 1 && period == 0, period: period)
            }
            let layout = Tensor(shape: shape, repeating: 0)
            let offsets = (0..<rows).map { Int32(layout.broadcastIndex($0 * width, in: domain)) }
            return ElementwiseKernel.Source(base: base, offsets: offsets, splat: (shape.last ?? 1) != width)
        }
        return ElementwiseKernel(
            steps: form.steps, sources: sources, rows: rows, width: width, reduction: form.reduction)
    }

    /// The negative slope a kernel's epilogue applies for activation `f` (1 for none), or
    /// nil when `f` needs a vector pass.
    static func epilogueSlope(_ f: UnaryFunction?) -> Float? {
        guard let f else { return 1 }
        return f.negativeSlope.map(Float.init)
    }

    /// An elementwise op of output shape `shape` as a chain of steps over its inputs
    /// (domain nil: the op's shape).
    static func elementwiseForm(_ op: Op, shape: [Int], operandCount: (ValueID) -> Int)
        -> (inputs: [ValueID], steps: [KernelStep], domain: Shape?, reduction: KernelReduction?)?
    {
        switch op {
        case .elementwise(let kernel): (kernel.inputs, kernel.steps, kernel.domain, kernel.reduction)
        case .unary(let f, let a): ([a], [.input(0), .unary(f, 0)], nil, nil)
        case .binary(let f, let a, let b): ([a, b], [.input(0), .input(1), .binary(f, 0, 1)], nil, nil)
        case .derivative(let f, let x, let y, let dy):
            (
                [x, y, dy], [.input(0), .input(1), .input(2), .derivative(f, input: 0, output: 1, upstream: 2)], nil,
                nil
            )
        case .activationBackward(let f, let y, let dy):
            ([y, dy], [.input(0), .input(1), .activationBackward(f, output: 0, upstream: 1)], nil, nil)
        case .expand(let a), .stopGradient(let a): ([a], [.input(0)], nil, nil)
        case .broadcastMean(let a):
            ([a], [.input(0), .constant(Double(operandCount(a)) / Double(max(shape.reduce(1, *), 1))), .binary(.mul, 0, 1)], nil, nil)
        case .spreadFirst(let a):
            ([a], [.input(0), .constant(1 / Double(max(shape.first ?? 1, 1))), .binary(.mul, 0, 1)], nil, nil)
        default: nil
        }
    }
}
