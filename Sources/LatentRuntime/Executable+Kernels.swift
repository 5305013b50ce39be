import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// The kernel of each op, reading operands and writing results at their bound places.
/// This first version is plain loops (correctness first); the packed SIMD GEMM and the
/// worker pool replace the hot ones without changing this dispatch.
extension Executable {
    func execute(_ index: Int, philox: Philox, step: UInt64) {
        let instruction = bound[index]
        let out = pointer(instruction.location)
        let count = instruction.count
        func input(_ value: ValueID) -> UnsafeMutablePointer<Float> { pointer(bound[value.index].location) }
        func read(_ operand: Int, _ value: ValueID, _ element: Int) -> Double {
            let table = instruction.broadcastTables[operand]
            return Double(input(value)[table.map { Int($0[element]) } ?? element])
        }
        switch instruction.op {
        case .data, .labels, .parameter:
            return
        case .constant(let c):
            out[0] = Float(c)
        case .vector(let values):
            for (i, v) in values.enumerated() { out[i] = Float(v) }
        case .randomNormal(let stream):
            for i in 0..<count { out[i] = Float(philox.normal(step: step, stream: stream, index: i)) }
        case .samplePrior(let distribution, let stream):
            let width = instruction.shape.last ?? 1
            for row in 0..<(count / max(width, 1)) {
                let values = distribution.sample(row: row, width: width, philox: philox, step: step, stream: stream)
                for (j, v) in values.enumerated() { out[row * width + j] = Float(v) }
            }
        case .matmul(let a, let b, let transposeA, let transposeB):
            let left = bound[a.index].shape
            let right = bound[b.index].shape
            Kernels.gemm(
                input(a), input(b), out, rows: left.reduce(1, *) / max(left.last ?? 1, 1), inner: left.last ?? 1,
                rightRows: right.reduce(1, *) / max(right.last ?? 1, 1), rightColumns: right.last ?? 1,
                transposeA: transposeA, transposeB: transposeB)
        case .dense(let x, let w, let b, let f):
            let left = bound[x.index].shape
            let right = bound[w.index].shape
            let columns = right.last ?? 1
            Kernels.gemm(
                input(x), input(w), out, rows: left.reduce(1, *) / max(left.last ?? 1, 1), inner: left.last ?? 1,
                rightRows: right[0], rightColumns: columns, transposeA: false, transposeB: false)
            let bias = input(b)
            for i in 0..<count {
                let z = Double(out[i] + bias[i % columns])
                out[i] = Float(f?.apply(z) ?? z)
            }
        case .unary(let f, let a):
            for i in 0..<count { out[i] = Float(f.apply(read(0, a, i))) }
        case .binary(let f, let a, let b):
            for i in 0..<count { out[i] = Float(f.apply(read(0, a, i), read(1, b, i))) }
        case .derivative(let f, let x, let y, let dy):
            for i in 0..<count {
                out[i] = Float(read(2, dy, i) * f.derivative(input: read(0, x, i), output: read(1, y, i)))
            }
        case .activationBackward(let f, let y, let dy):
            for i in 0..<count { out[i] = Float(read(1, dy, i) * f.derivative(fromOutput: read(0, y, i))) }
        case .elementwise(let kernel):
            runKernel(kernel, instruction, inputs: kernelInputs[index], out)
        case .concat(let parts):
            let width = instruction.shape.last ?? 1
            var offset = 0
            for part in parts {
                let partWidth = bound[part.index].shape.last ?? 1
                let source = input(part)
                for row in 0..<(count / width) {
                    for j in 0..<partWidth { out[row * width + offset + j] = source[row * partWidth + j] }
                }
                offset += partWidth
            }
        case .slice(let a, let offset, let width):
            let source = input(a)
            let sourceWidth = bound[a.index].shape.last ?? 1
            for row in 0..<(count / width) {
                for j in 0..<width { out[row * width + j] = source[row * sourceWidth + offset + j] }
            }
        case .padSlice(let a, let offset):
            let source = input(a)
            let sourceWidth = bound[a.index].shape.last ?? 1
            let width = instruction.shape.last ?? 1
            for i in 0..<count { out[i] = 0 }
            for row in 0..<(count / width) {
                for j in 0..<sourceWidth { out[row * width + offset + j] = source[row * sourceWidth + j] }
            }
        case .expand(let a), .stopGradient(let a):
            for i in 0..<count { out[i] = Float(read(0, a, i)) }
        case .broadcastMean(let a):
            for i in 0..<count { out[i] = Float(read(0, a, i) / Double(count)) }
        case .spreadFirst(let a):
            let first = Double(instruction.shape.first ?? 1)
            for i in 0..<count { out[i] = Float(read(0, a, i) / first) }
        case .sumTo(let a):
            let source = input(a)
            let sourceCount = bound[a.index].count
            for i in 0..<count { out[i] = 0 }
            let table = instruction.broadcastTables[0]
            for i in 0..<sourceCount { out[table.map { Int($0[i]) } ?? i] += source[i] }
        case .sumLast(let a):
            let source = input(a)
            let width = bound[a.index].shape.last ?? 1
            for row in 0..<count {
                var sum = 0.0
                for j in 0..<width { sum += Double(source[row * width + j]) }
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
            let width = instruction.shape.last ?? 1
            for row in 0..<(count / width) {
                var top = -Double.infinity
                for j in 0..<width { top = max(top, Double(source[row * width + j])) }
                var sum = 0.0
                for j in 0..<width { sum += Foundation.exp(Double(source[row * width + j]) - top) }
                let normalizer = top + Foundation.log(sum)
                for j in 0..<width { out[row * width + j] = Float(Double(source[row * width + j]) - normalizer) }
            }
        case .logPrior(let distribution, let z), .logPriorGradient(let distribution, let z, _):
            let source = input(z)
            let width = bound[z.index].shape.last ?? 1
            for row in 0..<(bound[z.index].count / width) {
                let values = (0..<width).map { Double(source[row * width + $0]) }
                let (value, gradient) = distribution.logDensity(values)
                if case .logPriorGradient(_, _, let upstream) = instruction.op {
                    let dy = Double(input(upstream)[row])
                    for j in 0..<width { out[row * width + j] = Float(gradient[j] * dy) }
                } else {
                    out[row] = Float(value)
                }
            }
        }
    }

    func runKernel(
        _ kernel: FusedKernel, _ instruction: BoundInstruction, inputs: [UnsafeMutablePointer<Float>],
        _ out: UnsafeMutablePointer<Float>
    ) {
        let elements = instruction.domain.reduce(1, *)
        let width = instruction.domain.last ?? 1
        var total = 0.0
        var rowSum = 0.0
        for element in 0..<elements {
            let result = kernel.evaluate(registers: scratch) { i in
                Double(inputs[i][instruction.broadcastTables[i].map { Int($0[element]) } ?? element])
            }
            switch kernel.reduction {
            case nil: out[element] = Float(result)
            case .meanAll: total += result
            case .sumLast:
                rowSum += result
                if element % width == width - 1 {
                    out[element / width] = Float(rowSum)
                    rowSum = 0
                }
            }
        }
        if kernel.reduction == .meanAll { out[0] = Float(total / Double(max(elements, 1))) }
    }
}
