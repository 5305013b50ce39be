import Foundation
import LatentIR
import LatentKernels

/// The kernel of each op, reading operands and writing results at their bound places:
/// matrix products and dense layers go to the GEMM (bias and ReLU in its epilogue),
/// elementwise work to the vector kernels bound at init; the small reductions and the
/// random draws are plain loops.
extension Executable {
    func execute(_ index: Int, philox: Philox, step: UInt64) {
        let instruction = bound[index]
        let out = pointer(instruction.location)
        let count = instruction.count
        func input(_ value: ValueID) -> UnsafeMutablePointer<Float> { pointer(bound[value.index].location) }
        func width(_ value: ValueID) -> Int { bound[value.index].shape.last ?? 1 }
        // A product's operand: its values, or the image of gathered patches.
        func operand(_ value: ValueID) -> (UnsafeMutablePointer<Float>, ConvGeometry?) {
            if case .gatheredPatches(let image, let geometry) = bound[value.index].op { return (input(image), geometry) }
            return (input(value), nil)
        }
        if let kernel = vectorKernels[index], !instruction.isDense {
            kernel.run(into: out, pool: pool)
            return
        }
        switch instruction.op {
        case .input, .parameter, .parameterRows, .gatheredPatches:
            return
        case .update(_, let gradient, _):
            update(index, gradient: input(gradient))
        case .productUpdate(_, let a, let b, let transposeA, let transposeB, let addend, let slot):
            guard let optimizers else { return }
            let (source, patches) = operand(a)
            let right = bound[b.index]
            let (rightSource, rightPatches) = operand(b)
            let epilogue = Epilogue(addend: addend.map { UnsafePointer(input($0)) }, update: optimizers.step(slot: slot, parameter: out))
            let finite = Kernels.gemm(
                source, rightSource, out, rows: bound[a.index].count / width(a), inner: width(a),
                rightRows: right.count / width(b), rightColumns: width(b), transposeA: transposeA,
                transposeB: transposeB, epilogue: epilogue, aPatches: patches, bPatches: rightPatches, pool: pool)
            if !finite { nonFiniteSlot = slot }
        case .constant(let c):
            out[0] = Float(c)
        case .vector(let values):
            for (i, v) in values.enumerated() { out[i] = Float(v) }
        case .randomNormal(let stream, let draw):
            let counter = step &+ UInt64(draw)
            // Each element is a function of its index in the whole batch's draw.
            for (local, global, run) in drawRuns[index] {
                // Two halves on two threads for large draws.
                let tasks = run >= 8192 ? pool.threads : 1
                let chunk = (run / max(tasks, 1) + 1) & ~1
                pool.run(tasks: tasks) { task, _ in
                    let start = min(run, task * chunk)
                    let part = out + local + start
                    philox.normals(
                        step: counter, stream: stream, from: global + start, count: min(run, start + chunk) - start
                    ) { part[$0] = Float($1) }
                }
            }
        case .samplePrior(let distribution, let stream, let draw, let byLabel):
            let classes = byLabel.map(width) ?? 0
            let width = instruction.shape.last ?? 1
            let counter = step &+ UInt64(draw)
            let labels = byLabel.map { UnsafePointer(input($0)) }
            for (local, global, rows) in drawRuns[index] {
                for row in 0..<rows {
                    let target = out + (local + row) * width
                    let part = labels.flatMap { labels in
                        Prior.part(ofLabel: { Double(labels[(local + row) * classes + $0]) }, count: classes)
                    }
                    distribution.sample(
                        row: global + row, width: width, part: part, philox: philox, step: counter, stream: stream
                    ) { target[$0] = Float($1) }
                }
            }
        case .matmul(let a, let b, let transposeA, let transposeB):
            let (source, patches) = operand(a)
            let right = bound[b.index]
            let (rightSource, rightPatches) = operand(b)
            Kernels.gemm(
                source, rightSource, out, rows: bound[a.index].count / width(a), inner: width(a),
                rightRows: right.count / width(b), rightColumns: width(b), transposeA: transposeA,
                transposeB: transposeB, aPatches: patches, bPatches: rightPatches, pool: pool)
        case .dense(let x, let w, let b, let f):
            let slope = Self.epilogueSlope(f) ?? 1
            let (source, patches) = operand(x)
            Kernels.gemm(
                source, input(w), out, rows: bound[x.index].count / width(x), inner: width(x),
                rightRows: bound[w.index].shape.first ?? 1, rightColumns: width(w), transposeA: false,
                transposeB: false, epilogue: Epilogue(bias: input(b), negativeSlope: slope), aPatches: patches, pool: pool)
            vectorKernels[index]?.run(into: out, pool: pool)
        case .concat(let parts):
            let rowWidth = instruction.shape.last ?? 1
            var offset = 0
            for part in parts {
                let partWidth = width(part)
                let source = input(part)
                for row in 0..<(count / rowWidth) {
                    (out + row * rowWidth + offset).update(from: source + row * partWidth, count: partWidth)
                }
                offset += partWidth
            }
        case .slice(let a, let offset, let sliceWidth):
            let source = input(a)
            let sourceWidth = width(a)
            for row in 0..<(count / sliceWidth) {
                (out + row * sliceWidth).update(from: source + row * sourceWidth + offset, count: sliceWidth)
            }
        case .padSlice(let a, let offset):
            let source = input(a)
            let sourceWidth = width(a)
            let rowWidth = instruction.shape.last ?? 1
            out.update(repeating: 0, count: count)
            for row in 0..<(count / rowWidth) {
                (out + row * rowWidth + offset).update(from: source + row * sourceWidth, count: sourceWidth)
            }
        case .average(_, let value, let momentum):
            let batch = input(value)
            let rate = Float(momentum)
            for i in 0..<count { out[i] += rate * (batch[i] - out[i]) }
        case .batchMoments(let x):
            Kernels.batchMoments(input(x), rows: bound[x.index].count / width(x), channels: width(x), into: out, pool: pool)
        case .batchNorm(let x, let moments, let scale, let shift, let f):
            Kernels.batchNorm(
                input(x), rows: count / width(x), channels: width(x), moments: input(moments), scale: input(scale),
                shift: input(shift), slope: Self.batchNormSlope(f), epsilon: BatchNorm.epsilon, into: out, pool: pool)
        case .batchNormSums(let x, let moments, let output, let upstream, let f):
            Kernels.batchNormSums(
                input(x), rows: bound[x.index].count / width(x), channels: width(x), moments: input(moments),
                output: input(output), upstream: input(upstream), slope: Self.batchNormSlope(f),
                epsilon: BatchNorm.epsilon, into: out, pool: pool)
        case .batchNormGradient(let x, let moments, let scale, let sums, let output, let upstream, let f):
            Kernels.batchNormGradient(
                input(x), rows: count / width(x), channels: width(x), moments: input(moments), scale: input(scale),
                sums: input(sums), output: input(output), upstream: input(upstream), slope: Self.batchNormSlope(f),
                epsilon: BatchNorm.epsilon, into: out, pool: pool)
        case .reshape(let a):
            // In the arena a reshape is its operand's bytes already; a parameter's is copied.
            if out != input(a) { out.update(from: input(a), count: count) }
        case .patches(let a, let geometry):
            Kernels.patches(input(a), out, images: count / max(geometry.patchesSize, 1), geometry: geometry, pool: pool)
        case .unpatches(let a, let geometry):
            Kernels.unpatches(input(a), out, images: count / max(geometry.imageSize, 1), geometry: geometry, pool: pool)
        case .sumTo(let a):
            sum(input(a), shape: bound[a.index].shape, into: out, shape: instruction.shape)
        case .sumLast(let a):
            let source = input(a)
            let rowWidth = width(a)
            for row in 0..<count {
                var sum = 0.0
                for j in 0..<rowWidth { sum += Double(source[row * rowWidth + j]) }
                out[row] = Float(sum)
            }
        case .meanAll(let a):
            let source = input(a)
            let sourceCount = bound[a.index].count
            var sum = 0.0
            for i in 0..<sourceCount { sum += Double(source[i]) }
            out[0] = Float(sum / Double(max(sourceCount, 1)))
        case .meanFirst(let a), .logSumExpFirst(let a):
            let source = input(a)
            let first = bound[a.index].shape.first ?? 1
            let isMean: Bool
            if case .meanFirst = instruction.op { isMean = true } else { isMean = false }
            for j in 0..<count {
                if isMean {
                    var sum = 0.0
                    for s in 0..<first { sum += Double(source[s * count + j]) }
                    out[j] = Float(sum / Double(first))
                } else {
                    var top = -Double.infinity
                    for s in 0..<first { top = max(top, Double(source[s * count + j])) }
                    var sum = 0.0
                    for s in 0..<first { sum += Foundation.exp(Double(source[s * count + j]) - top) }
                    out[j] = Float(top + Foundation.log(sum))
                }
            }
        case .logSoftmax(let a):
            let source = input(a)
            let rowWidth = instruction.shape.last ?? 1
            for row in 0..<(count / rowWidth) {
                var top = -Double.infinity
                for j in 0..<rowWidth { top = max(top, Double(source[row * rowWidth + j])) }
                var sum = 0.0
                for j in 0..<rowWidth { sum += Foundation.exp(Double(source[row * rowWidth + j]) - top) }
                let normalizer = top + Foundation.log(sum)
                for j in 0..<rowWidth {
                    out[row * rowWidth + j] = Float(Double(source[row * rowWidth + j]) - normalizer)
                }
            }
        case .logPrior(let distribution, let z), .logPriorGradient(let distribution, let z, _):
            let source = input(z)
            let rowWidth = width(z)
            var upstream: UnsafeMutablePointer<Float>?
            if case .logPriorGradient(_, _, let dy) = instruction.op { upstream = input(dy) }
            for row in 0..<(bound[z.index].count / rowWidth) {
                let values = source + row * rowWidth
                if let upstream {
                    let dy = Double(upstream[row])
                    let target = out + row * rowWidth
                    _ = distribution.logDensity(dimension: rowWidth, { Double(values[$0]) }) {
                        target[$0] = Float($1 * dy)
                    }
                } else {
                    out[row] = Float(distribution.logDensity(dimension: rowWidth) { Double(values[$0]) })
                }
            }
        case .unary, .binary, .derivative, .activationBackward, .elementwise, .expand, .stopGradient,
            .broadcastMean, .spreadFirst:
            preconditionFailure("elementwise instructions run through their vector kernels")
        }
    }

    /// Sums `source` down to the shape it was broadcast from: over leading rows
    /// (`Kernels.sumRows`) when the row width is kept, element by element otherwise.
    func sum(_ source: UnsafePointer<Float>, shape: [Int], into out: UnsafeMutablePointer<Float>, shape target: [Int]) {
        let sourceCount = shape.reduce(1, *)
        let count = target.reduce(1, *)
        if count > 0, sourceCount % count == 0,
            Array(shape.suffix(target.count)) == target
                || (target.allSatisfy { $0 == 1 } && count == 1)
        {
            Kernels.sumRows(source, rows: sourceCount / count, width: count, into: out)
            return
        }
        out.update(repeating: 0, count: count)
        let layout = Tensor(shape: target, repeating: 0)
        for i in 0..<sourceCount { out[layout.broadcastIndex(i, in: shape)] += source[i] }
    }
}

extension Executable {
    /// The negative slope of a batch norm's activation; the op admits only piecewise-linear
    /// ones (lowering joins no other), so any other is a compiler bug.
    static func batchNormSlope(_ f: UnaryFunction?) -> Float {
        guard let slope = epilogueSlope(f) else { preconditionFailure("batch norm with activation \(f.map { "\($0)" } ?? "")") }
        return slope
    }
}

extension BoundInstruction {
    var isDense: Bool { if case .dense = op { true } else { false } }
}

extension Executable {
    /// Update instruction `index` applied with the gradient at `gradient` instead of its
    /// operand's buffer (a data-parallel step's gradient summed over shards).
    func update(_ index: Int, gradient: UnsafeMutablePointer<Float>) {
        guard case .update(_, _, let slot) = bound[index].op else { preconditionFailure("not an update") }
        if optimizers?.update(slot: slot, gradient: gradient, parameter: pointer(bound[index].location), pool: pool)
            == false
        {
            nonFiniteSlot = slot
        }
    }
}
