/// Fuses instructions into fewer, larger kernels:
/// 1. an activation's backward reads the activation's output instead of its input, so the
///    pre-activation need not be kept;
/// 2. matmul + bias + activation become one `dense` (the bias and activation are applied
///    while the output tile is hot);
/// 3. chains of elementwise ops, with a final sum or mean, become one `elementwise` loop
///    (a loss, its reduction and its gradient's elementwise parts each in one pass);
/// 4. a slice of a product with a transposed parameter, x W^T (the backward of a
///    concatenated input, of which only one part needs its gradient), multiplies by the
///    sliced rows of W alone;
/// 5. the sum of two padded slices that tile a value (the adjoint of a Gaussian encoder's
///    mean and log-variance halves) is their concatenation: no zeros, no addition;
/// 6. an optimizer update whose gradient is a matrix product (plus another value, when two
///    paths reach the weight) is applied by the product as it computes each block, so the
///    gradient is never stored;
/// 7. patches read only by products, as their left operand (a convolution, x W, and its
///    weight's gradient, patches^T dY) or as the right one of a weight's gradient (a
///    transposed convolution's, x^T patches(dY)), are gathered from the image by those
///    products, a block or panel at a time, instead of stored.
public enum Fusion {
    /// With `updatesInProducts` false, gradients are stored and updates stay apart (6 is
    /// skipped), as a step whose gradients are summed over shards first needs.
    public static func run<T: Tape>(_ phase: T, updatesInProducts: Bool = true) -> T {
        let updates = updatesInProducts ? productUpdates(phase) : phase
        let backward = activationsFromOutputs(paddedHalves(productSlices(updates)))
        let dense = DeadCodeElimination.run(denseLayers(backward))
        return gatheredPatches(DeadCodeElimination.run(elementwiseChains(dense)))
    }

    static func gatheredPatches<T: Tape>(_ phase: T) -> T {
        var gatherable = phase.instructions.map { instruction in
            if case .patches(_, let geometry) = instruction.op { geometry.isGatherable } else { false }
        }
        for output in phase.outputs { gatherable[output.index] = false }
        for instruction in phase.instructions {
            // Where a product's left operand A is among its operands, and B of a weight's gradient.
            let (left, right): (Int?, Int?) =
                switch instruction.op {
                case .matmul(_, _, true, false): (0, 1)
                case .matmul, .dense: (0, nil)
                case .productUpdate(_, _, _, true, false, _, _): (1, 2)
                case .productUpdate: (1, nil)
                default: (nil, nil)
                }
            for (position, operand) in instruction.op.operands.enumerated() where position != left {
                if position == right, case .patches(_, let geometry) = phase.instructions[operand.index].op,
                    geometry.isGatherableByPanels
                {
                    continue
                }
                gatherable[operand.index] = false
            }
        }
        var result = phase
        for (index, instruction) in phase.instructions.enumerated() where gatherable[index] {
            guard case .patches(let image, let geometry) = instruction.op else { continue }
            result.instructions[index].op = .gatheredPatches(image, geometry)
        }
        return result
    }

    /// slice(x W^T, columns o..<o+w) = x (rows o..<o+w of W)^T: the product's instruction
    /// becomes the view of those rows and the slice becomes the smaller product.
    static func productSlices<T: Tape>(_ phase: T) -> T {
        var result = phase
        let uses = phase.useCounts
        for (index, instruction) in phase.instructions.enumerated() {
            guard case .slice(let product, let offset, let width) = instruction.op, uses[product.index] == 1,
                case .matmul(let x, let w, false, true) = phase.instructions[product.index].op,
                phase.instructions[w.index].op.isWholeParameter,
                let columns = phase.instructions[w.index].type.width, phase.instructions[w.index].type.dims.count == 2
            else { continue }
            result.instructions[product.index] = Instruction(
                .parameterRows(w, offset: offset, count: width), Shape([.fixed(width), .fixed(columns)]))
            result.instructions[index].op = .matmul(x, product, transposeA: false, transposeB: true)
        }
        return result
    }

    /// update(p, a x b) and update(p, g + a x b), the product read only there, become one
    /// `productUpdate`; the product and the sum are then dead.
    static func productUpdates<T: Tape>(_ phase: T) -> T {
        var result = phase
        let uses = phase.useCounts
        let instructions = phase.instructions
        func product(_ value: ValueID) -> (a: ValueID, b: ValueID, transposeA: Bool, transposeB: Bool)? {
            guard uses[value.index] == 1, case .matmul(let a, let b, let ta, let tb) = instructions[value.index].op,
                instructions[value.index].type.dims.count == 2
            else { return nil }
            return (a, b, ta, tb)
        }
        for (index, instruction) in instructions.enumerated() {
            guard case .update(let p, let gradient, let slot) = instruction.op else { continue }
            if let (a, b, ta, tb) = product(gradient) {
                result.instructions[index].op = .productUpdate(
                    p, a: a, b: b, transposeA: ta, transposeB: tb, addend: nil, slot: slot)
            } else if uses[gradient.index] == 1, case .binary(.add, let x, let y) = instructions[gradient.index].op,
                instructions[x.index].type == instructions[y.index].type
            {
                guard let (addend, (a, b, ta, tb)) = product(y).map({ (x, $0) }) ?? product(x).map({ (y, $0) }) else {
                    continue
                }
                result.instructions[index].op = .productUpdate(
                    p, a: a, b: b, transposeA: ta, transposeB: tb, addend: addend, slot: slot)
            }
        }
        return DeadCodeElimination.run(result)
    }

    /// pad(a at 0) + pad(b at width(a)), the two filling the whole width: concat(a, b).
    static func paddedHalves<T: Tape>(_ phase: T) -> T {
        var result = phase
        let uses = phase.useCounts
        let instructions = phase.instructions
        func padded(_ value: ValueID) -> (part: ValueID, offset: Int, width: Int)? {
            guard uses[value.index] == 1, case .padSlice(let part, let offset) = instructions[value.index].op,
                let width = instructions[part.index].type.width
            else { return nil }
            return (part, offset, width)
        }
        for (index, instruction) in instructions.enumerated() {
            guard case .binary(.add, let a, let b) = instruction.op, let first = padded(a), let second = padded(b),
                instructions[a.index].type == instruction.type, instructions[b.index].type == instruction.type,
                let total = instruction.type.width, first.width + second.width == total
            else { continue }
            let (low, high) = first.offset == 0 ? (first, second) : (second, first)
            guard low.offset == 0, high.offset == low.width,
                instructions[low.part.index].type.withWidth(total) == instruction.type,
                instructions[high.part.index].type.withWidth(total) == instruction.type
            else { continue }
            result.instructions[index].op = .concat([low.part, high.part])
        }
        return result
    }

    static func activationsFromOutputs<T: Tape>(_ phase: T) -> T {
        var result = phase
        for (index, instruction) in phase.instructions.enumerated() {
            guard case .derivative(let f, let input, let output, let upstream) = instruction.op,
                f.derivativeFollowsFromOutput, case .unary(f, input) = phase.instructions[output.index].op
            else { continue }
            result.instructions[index].op = .activationBackward(f, output: output, upstream: upstream)
        }
        return result
    }

    static func denseLayers<T: Tape>(_ phase: T) -> T {
        var result = phase
        let uses = phase.useCounts
        let instructions = phase.instructions
        /// matmul(x, W) + b with a rank-1 parameter b, where the matmul is read only here.
        func affine(_ value: ValueID) -> (x: ValueID, w: ValueID, b: ValueID)? {
            guard case .binary(.add, let product, let bias) = instructions[value.index].op,
                case .matmul(let x, let w, false, false) = instructions[product.index].op, uses[product.index] == 1,
                instructions[bias.index].op.isWholeParameter, instructions[bias.index].type.dims.count == 1
            else { return nil }
            return (x, w, bias)
        }
        var fused = Set<Int>()
        for (index, instruction) in instructions.enumerated() {
            guard case .unary(let f, let z) = instruction.op, uses[z.index] == 1, let (x, w, b) = affine(z) else {
                continue
            }
            result.instructions[index].op = .dense(x, weight: w, bias: b, f)
            fused.insert(z.index)
        }
        for index in instructions.indices where !fused.contains(index) {
            guard let (x, w, b) = affine(ValueID(index)) else { continue }
            result.instructions[index].op = .dense(x, weight: w, bias: b, nil)
        }
        return result
    }

    static func elementwiseChains<T: Tape>(_ phase: T) -> T {
        let uses = phase.useCounts
        var kernels: [Int: FusedKernel] = [:]
        var result = phase
        for (index, instruction) in phase.instructions.enumerated() {
            var builder = KernelBuilder(instructions: phase.instructions, uses: uses, kernels: kernels)
            switch instruction.op {
            case .unary(let f, let a):
                builder.finish(.unary(f, builder.read(a)))
            case .binary(let f, let a, let b):
                let left = builder.read(a)
                let right = builder.read(b)
                builder.finish(.binary(f, left, right))
            case .derivative(let f, let input, let output, let upstream):
                let i = builder.read(input)
                let o = builder.read(output)
                let u = builder.read(upstream)
                builder.finish(.derivative(f, input: i, output: o, upstream: u))
            case .activationBackward(let f, let output, let upstream):
                let o = builder.read(output)
                let u = builder.read(upstream)
                builder.finish(.activationBackward(f, output: o, upstream: u))
            case .sumLast(let a), .meanAll(let a):
                guard var kernel = kernels[a.index], uses[a.index] == 1, kernel.reduction == nil else { continue }
                kernel.reduction = instruction.op == .meanAll(a) ? .meanAll : .sumLast
                result.instructions[index].op = .elementwise(kernel)
                continue
            default:
                continue
            }
            let kernel = FusedKernel(
                inputs: builder.inputs, domain: instruction.type, steps: builder.steps)
            kernels[index] = kernel
            if builder.computeSteps >= 2 { result.instructions[index].op = .elementwise(kernel) }
        }
        return result
    }
}

/// Assembles one fused kernel, inlining operands that are themselves single-use kernels.
struct KernelBuilder {
    let instructions: [Instruction]
    let uses: [Int]
    let kernels: [Int: FusedKernel]
    var inputs: [ValueID] = []
    var steps: [KernelStep] = []

    /// Steps that compute something (not inputs or constants).
    var computeSteps: Int {
        steps.filter { if case .input = $0 { false } else if case .constant = $0 { false } else { true } }.count
    }

    /// The step holding an operand's value.
    mutating func read(_ value: ValueID) -> Int {
        if case .constant(let c) = instructions[value.index].op {
            steps.append(.constant(c))
            return steps.count - 1
        }
        if uses[value.index] == 1, let kernel = kernels[value.index], kernel.reduction == nil {
            return inline(kernel)
        }
        return readInput(value)
    }

    /// A step that reads a kernel input (each distinct value is one input).
    mutating func readInput(_ value: ValueID) -> Int {
        let position =
            inputs.firstIndex(of: value)
            ?? {
                inputs.append(value)
                return inputs.count - 1
            }()
        steps.append(.input(position))
        return steps.count - 1
    }

    /// Copies another kernel's steps in, its inputs mapped to this kernel's; returns its result step.
    mutating func inline(_ kernel: FusedKernel) -> Int {
        let base = steps.count
        for step in kernel.steps {
            switch step {
            case .input(let i): _ = readInput(kernel.inputs[i])
            case .constant(let c): steps.append(.constant(c))
            case .unary(let f, let a): steps.append(.unary(f, a + base))
            case .binary(let f, let a, let b): steps.append(.binary(f, a + base, b + base))
            case .derivative(let f, let i, let o, let u):
                steps.append(.derivative(f, input: i + base, output: o + base, upstream: u + base))
            case .activationBackward(let f, let o, let u):
                steps.append(.activationBackward(f, output: o + base, upstream: u + base))
            }
        }
        return steps.count - 1
    }

    mutating func finish(_ step: KernelStep) { steps.append(step) }
}
