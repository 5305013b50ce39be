import Foundation

/// Runs a phase in double precision, one op at a time, as plainly as possible: the meaning
/// of the IR against which autodiff (finite differences) and every pass (equivalence) are
/// tested. Random draws are a function of (seed, stream), so two runs of a tape, before
/// and after any pass, see the same noise.
public struct ReferenceInterpreter {
    public var parameters: [Tensor]
    /// The phase's inputs by name (an input not given reads as zeros).
    public var inputs: [String: Tensor]
    public var batch: Int
    public var samples: Int
    public var seed: UInt64
    /// The training step, which with the seed and a stream's id fixes its draws.
    public var step: UInt64 = 0

    public init(parameters: [Tensor], inputs: [String: Tensor], batch: Int, samples: Int = 1, seed: UInt64 = 1) {
        self.parameters = parameters
        self.inputs = inputs
        self.batch = batch
        self.samples = samples
        self.seed = seed
    }

    /// A training phase's inputs: a batch of data `x` and, for labelled batches, labels `y`.
    public init(parameters: [Tensor], data: Tensor, labels: Tensor? = nil, samples: Int = 1, seed: UInt64 = 1) {
        var inputs = [InputName.data: data]
        inputs[InputName.labels] = labels
        self.init(parameters: parameters, inputs: inputs, batch: data.shape.first ?? 1, samples: samples, seed: seed)
    }

    /// Every value of the tape, in order.
    public func run(_ instructions: [Instruction]) -> [Tensor] {
        var values: [Tensor] = []
        values.reserveCapacity(instructions.count)
        for (index, instruction) in instructions.enumerated() {
            values.append(evaluate(instruction, index: index) { values[$0.index] })
        }
        return values
    }

    /// Every value of a training step, from fresh optimizer state: updates as their
    /// optimizers define them (Adam with its bias correction), each a new tensor, so an
    /// unscheduled step (updates at the ends of phases) has a meaning too.
    public func run(step: Step) -> [Tensor] {
        var values: [Tensor] = []
        var first = [[Double]?](repeating: nil, count: step.slots.count)
        var second = [[Double]?](repeating: nil, count: step.slots.count)
        var updates = [Int](repeating: 0, count: step.slots.count)
        for (index, instruction) in step.instructions.enumerated() {
            let p: ValueID
            let gradient: [Double]
            let slot: Int
            switch instruction.op {
            case .update(let parameter, let g, let s):
                (p, gradient, slot) = (parameter, values[g.index].values, s)
            case .productUpdate(let parameter, let a, let b, let transposeA, let transposeB, let addend, let s):
                let shape = instruction.type.sizes(batch: batch, samples: samples)
                var product = matmul(values[a.index], values[b.index], transposeA: transposeA, transposeB: transposeB, shape: shape)
                if let addend { for i in product.values.indices { product.values[i] += values[addend.index].values[i] } }
                (p, gradient, slot) = (parameter, product.values, s)
            default:
                values.append(evaluate(instruction, index: index) { values[$0.index] })
                continue
            }
            var parameter = values[p.index]
            var m = first[slot] ?? Array(repeating: 0, count: gradient.count)
            var v = second[slot] ?? Array(repeating: 0, count: gradient.count)
            updates[slot] += 1
            let t = Double(updates[slot])
            for i in gradient.indices {
                switch step.slots[slot].optimizer {
                case .sgd(let rate): parameter.values[i] -= rate * gradient[i]
                case .momentum(let rate, let momentum):
                    m[i] = momentum * m[i] + gradient[i]
                    parameter.values[i] -= rate * m[i]
                case .adam(let rate, let beta1, let beta2, let eps):
                    m[i] = beta1 * m[i] + (1 - beta1) * gradient[i]
                    v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i]
                    let mean = m[i] / (1 - Foundation.pow(beta1, t))
                    let variance = v[i] / (1 - Foundation.pow(beta2, t))
                    parameter.values[i] -= rate * mean / (variance.squareRoot() + eps)
                case .rmsprop(let rate, let decay, let eps):
                    v[i] = decay * v[i] + (1 - decay) * gradient[i] * gradient[i]
                    parameter.values[i] -= rate * gradient[i] / (v[i].squareRoot() + eps)
                }
            }
            first[slot] = m
            second[slot] = v
            values.append(parameter)
        }
        return values
    }

    /// The loss and the gradients of a phase.
    public func outputs(of phase: Phase) -> [Tensor] {
        let values = run(phase.instructions)
        return phase.outputs.map { values[$0.index] }
    }

    /// One instruction's value; `value` reads operands (from a list, or from a planned arena).
    public func evaluate(_ instruction: Instruction, index: Int, value: (ValueID) -> Tensor) -> Tensor {
        let shape = instruction.type.sizes(batch: batch, samples: samples)
        switch instruction.op {
        case .input(let name): return inputs[name] ?? Tensor(shape: shape)
        case .parameter(let index): return parameters[index]
        case .parameterRows(let source, let offset, let count):
            let matrix = value(source)
            let columns = matrix.values.count / max(matrix.shape.first ?? 1, 1)
            return Tensor(
                shape: [count, columns],
                values: Array(matrix.values[(offset * columns)..<((offset + count) * columns)]))
        case .constant(let c): return .scalar(c)
        case .vector(let values): return Tensor(shape: [values.count], values: values)
        case .randomNormal(let stream, let draw):
            let philox = Philox(seed: seed)
            return Tensor(
                shape: shape,
                values: (0..<shape.reduce(1, *)).map {
                    philox.normal(step: step &+ UInt64(draw), stream: stream, index: $0)
                })
        case .samplePrior(let distribution, let stream, let draw, let byLabel):
            let width = shape.last ?? 1
            let labels = byLabel.map(value)
            let classes = labels?.shape.last ?? 0
            var result: [Double] = []
            for row in 0..<(shape.reduce(1, *) / max(width, 1)) {
                let part = labels.flatMap { labels in
                    Prior.part(ofLabel: { labels.values[row * classes + $0] }, count: classes)
                }
                result += distribution.sample(
                    row: row, width: width, part: part, philox: Philox(seed: seed), step: step &+ UInt64(draw),
                    stream: stream)
            }
            return Tensor(shape: shape, values: result)
        case .matmul(let a, let b, let transposeA, let transposeB):
            return matmul(value(a), value(b), transposeA: transposeA, transposeB: transposeB, shape: shape)
        case .unary(let f, let a):
            let x = value(a)
            return Tensor(shape: x.shape, values: x.values.map(f.apply))
        case .binary(let f, let a, let b):
            let x = value(a).broadcast(to: shape)
            let y = value(b).broadcast(to: shape)
            return Tensor(shape: shape, values: zip(x.values, y.values).map { f.apply($0, $1) })
        case .derivative(let f, let input, let output, let upstream):
            let x = value(input)
            let y = value(output).broadcast(to: x.shape)
            let dy = value(upstream).broadcast(to: x.shape)
            return Tensor(
                shape: x.shape,
                values: (0..<x.count).map { dy.values[$0] * f.derivative(input: x.values[$0], output: y.values[$0]) })
        case .concat(let parts):
            let tensors = parts.map(value)
            var result: [Double] = []
            for row in 0..<tensors[0].rows {
                for tensor in tensors { result += tensor.values[(row * tensor.width)..<((row + 1) * tensor.width)] }
            }
            return Tensor(shape: shape, values: result)
        case .slice(let a, let offset, let width):
            let x = value(a)
            var result: [Double] = []
            for row in 0..<x.rows { result += x.values[(row * x.width + offset)..<(row * x.width + offset + width)] }
            return Tensor(shape: shape, values: result)
        case .padSlice(let a, let offset):
            let x = value(a)
            var result = Tensor(shape: shape)
            for row in 0..<x.rows {
                for column in 0..<x.width {
                    result.values[row * result.width + offset + column] = x.values[row * x.width + column]
                }
            }
            return result
        case .expand(let a): return value(a).broadcast(to: shape)
        case .reshape(let a): return Tensor(shape: shape, values: value(a).values)
        case .patches(let a, let geometry), .gatheredPatches(let a, let geometry):
            let image = value(a)
            var result = Tensor(shape: shape)
            geometry.forEachTap(images: image.count / max(geometry.imageSize, 1)) { patch, pixel in
                result.values[patch] = image.values[pixel]
            }
            return result
        case .unpatches(let a, let geometry):
            let patches = value(a)
            var result = Tensor(shape: shape)
            geometry.forEachTap(images: patches.count / max(geometry.patchesSize, 1)) { patch, pixel in
                result.values[pixel] += patches.values[patch]
            }
            return result
        case .sumTo(let a): return value(a).sum(to: shape)
        case .batchMoments(let a):
            let x = value(a)
            return Tensor(shape: shape, values: BatchNorm.moments(x.values, channels: x.width))
        case .batchNorm(let a, let moments, let scale, let shift, let f):
            let x = value(a)
            return Tensor(
                shape: shape,
                values: BatchNorm.forward(
                    x.values, moments: value(moments).values, scale: value(scale).values, shift: value(shift).values, f))
        case .batchNormSums(let a, let moments, let output, let upstream, let f):
            return Tensor(
                shape: shape,
                values: BatchNorm.sums(
                    value(a).values, moments: value(moments).values, output: value(output).values,
                    upstream: value(upstream).values, f))
        case .batchNormGradient(let a, let moments, let scale, let sums, let output, let upstream, let f):
            return Tensor(
                shape: shape,
                values: BatchNorm.gradient(
                    value(a).values, moments: value(moments).values, scale: value(scale).values,
                    sums: value(sums).values, output: value(output).values, upstream: value(upstream).values, f))
        case .average(let p, let batch, let momentum):
            let old = value(p)
            return Tensor(shape: old.shape, values: zip(old.values, value(batch).values).map { $0 + momentum * ($1 - $0) })
        case .broadcastMean(let a):
            let source = value(a)
            let spread = source.broadcast(to: shape)
            let count = Double(max(spread.count, 1)) / Double(max(source.count, 1))
            return Tensor(shape: shape, values: spread.values.map { $0 / count })
        case .sumLast(let a):
            let x = value(a)
            return Tensor(
                shape: shape,
                values: (0..<x.rows).map { row in x.values[(row * x.width)..<((row + 1) * x.width)].reduce(0, +) })
        case .logSumExpFirst(let a):
            let x = value(a)
            let first = x.shape.first ?? 1
            let stride = x.count / max(first, 1)
            return Tensor(
                shape: shape,
                values: (0..<stride).map { j in
                    let column = (0..<first).map { x.values[$0 * stride + j] }
                    let top = column.max() ?? 0
                    return top + log(column.reduce(0) { $0 + exp($1 - top) })
                })
        case .meanFirst(let a):
            let x = value(a)
            let first = x.shape.first ?? 1
            let stride = x.count / max(first, 1)
            return Tensor(
                shape: shape,
                values: (0..<stride).map { j in (0..<first).reduce(0) { $0 + x.values[$1 * stride + j] } / Double(first)
                })
        case .spreadFirst(let a):
            let spread = value(a).broadcast(to: shape)
            let first = Double(max(shape.first ?? 1, 1))
            return Tensor(shape: shape, values: spread.values.map { $0 / first })
        case .meanAll(let a):
            let x = value(a)
            return .scalar(x.values.reduce(0, +) / Double(max(x.count, 1)))
        case .logSoftmax(let a):
            let x = value(a)
            var result: [Double] = []
            for row in 0..<x.rows {
                let slice = x.values[(row * x.width)..<((row + 1) * x.width)]
                let top = slice.max() ?? 0
                let normalizer = top + log(slice.reduce(0) { $0 + exp($1 - top) })
                result += slice.map { $0 - normalizer }
            }
            return Tensor(shape: shape, values: result)
        case .logPrior(let distribution, let a):
            let z = value(a)
            return Tensor(
                shape: shape,
                values: (0..<z.rows).map {
                    distribution.logDensity(Array(z.values[($0 * z.width)..<(($0 + 1) * z.width)])).value
                })
        case .logPriorGradient(let distribution, let a, let upstream):
            let z = value(a)
            let dy = value(upstream)
            var result: [Double] = []
            for row in 0..<z.rows {
                let gradient = distribution.logDensity(Array(z.values[(row * z.width)..<((row + 1) * z.width)]))
                    .gradient
                result += gradient.map { $0 * dy.values[row] }
            }
            return Tensor(shape: shape, values: result)
        case .stopGradient(let a): return value(a)
        case .update, .productUpdate:
            preconditionFailure("updates run through run(step:) (they need optimizer state)")
        case .dense(let x, let w, let b, let f):
            let product = matmul(value(x), value(w), transposeA: false, transposeB: false, shape: shape)
            let bias = value(b).broadcast(to: shape)
            return Tensor(shape: shape, values: zip(product.values, bias.values).map { f?.apply($0 + $1) ?? ($0 + $1) })
        case .activationBackward(let f, let output, let upstream):
            let y = value(output)
            let dy = value(upstream).broadcast(to: y.shape)
            return Tensor(shape: y.shape, values: zip(y.values, dy.values).map { $1 * f.derivative(fromOutput: $0) })
        case .elementwise(let kernel):
            return run(kernel, value: value, shape: shape)
        }
    }

    /// A fused kernel: inputs broadcast to the domain, steps per element, then the reduction.
    func run(_ kernel: FusedKernel, value: (ValueID) -> Tensor, shape: [Int]) -> Tensor {
        let domain = kernel.domain.sizes(batch: batch, samples: samples)
        let inputs = kernel.inputs.map { value($0).broadcast(to: domain) }
        let count = domain.reduce(1, *)
        var result = [Double](repeating: 0, count: count)
        let registers = UnsafeMutablePointer<Double>.allocate(capacity: max(1, kernel.steps.count))
        defer { registers.deallocate() }
        for element in 0..<count {
            result[element] = kernel.evaluate(registers: registers) { inputs[$0].values[element] }
        }
        let full = Tensor(shape: domain, values: result)
        switch kernel.reduction {
        case nil: return full
        case .meanAll: return .scalar(result.reduce(0, +) / Double(max(count, 1)))
        case .sumLast:
            return Tensor(
                shape: shape,
                values: (0..<full.rows).map { row in result[(row * full.width)..<((row + 1) * full.width)].reduce(0, +)
                })
        }
    }

    func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, shape: [Int]) -> Tensor {
        var result = Tensor(shape: shape)
        if transposeA {
            // [R, K]^T x [R, M] -> [K, M], summing over every leading row.
            let k = a.width
            let m = b.width
            for row in 0..<a.rows {
                for i in 0..<k where a.values[row * k + i] != 0 {
                    for j in 0..<m { result.values[i * m + j] += a.values[row * k + i] * b.values[row * m + j] }
                }
            }
        } else if transposeB {
            // [R, M] x [K, M]^T -> [R, K].
            let m = a.width
            let k = b.shape[0]
            for row in 0..<a.rows {
                for i in 0..<k {
                    var sum = 0.0
                    for j in 0..<m { sum += a.values[row * m + j] * b.values[i * m + j] }
                    result.values[row * k + i] = sum
                }
            }
        } else {
            // [R, K] x [K, M] -> [R, M].
            let k = a.width
            let m = b.width
            for row in 0..<a.rows {
                for i in 0..<k where a.values[row * k + i] != 0 {
                    for j in 0..<m { result.values[row * m + j] += a.values[row * k + i] * b.values[i * m + j] }
                }
            }
        }
        return result
    }
}
