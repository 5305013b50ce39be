import Foundation
import LatentIR

/// A fused elementwise kernel bound to its buffers and run 16 floats at a time: each step of
/// the chain is one switch per SIMD16 vector, so dispatch is paid once per 16 elements.
///
/// The domain is seen as rows of `width` elements. An input either runs along the row
/// (`offsets[r]` is where row r starts) or is one value spread over the row (`splat`). An
/// input with the domain's own shape, or a single value, needs no table, and then the whole
/// domain is one row. Work is split into tasks by a rule of the sizes alone, and reductions
/// add the tasks' partial sums in task order, so results do not depend on the thread count.
public final class ElementwiseKernel {
    /// Where an input's values are and how they spread over the domain.
    public struct Source {
        public var base: UnsafePointer<Float>
        /// The start of each row of the domain in this input, or nil for r * width.
        public var offsets: [Int32]?
        /// One value per row, spread over it.
        public var splat: Bool

        public init(base: UnsafePointer<Float>, offsets: [Int32]?, splat: Bool) {
            self.base = base
            self.offsets = offsets
            self.splat = splat
        }
    }

    let steps: [KernelStep]
    /// The steps, where the loop reads them without touching the array.
    let stepList: UnsafeMutablePointer<KernelStep>
    let stepCount: Int
    let inputCount: Int
    let bases: UnsafeMutablePointer<UnsafePointer<Float>>
    /// Row starts, input-major (`rows` per input); r * width for inputs without a table.
    let offsets: UnsafeMutablePointer<Int>
    let splats: UnsafeMutablePointer<Bool>
    let rows: Int
    let width: Int
    let reduction: KernelReduction?
    let tasks: Int
    /// Per task: one vector register per step, then each input's base for the current row.
    let registers: UnsafeMutablePointer<SIMD16<Float>>
    let rowBases: UnsafeMutablePointer<UnsafePointer<Float>>
    let partials: UnsafeMutablePointer<Double>

    /// `rows` x `width` is the domain; a reduction sums each row (`sumLast`) or everything (`meanAll`).
    public init(steps: [KernelStep], sources: [Source], rows: Int, width: Int, reduction: KernelReduction?) {
        self.steps = steps
        stepCount = steps.count
        stepList = .allocate(capacity: max(1, steps.count))
        stepList.initialize(from: steps, count: steps.count)
        self.rows = rows
        self.width = width
        self.reduction = reduction
        inputCount = sources.count
        let chunks = (width + 15) / 16
        let units = rows > 1 ? rows : chunks
        tasks = max(1, min(units, min(32, rows * width / 16384)))
        bases = .allocate(capacity: max(1, sources.count))
        offsets = .allocate(capacity: max(1, sources.count * rows))
        splats = .allocate(capacity: max(1, sources.count))
        for (i, source) in sources.enumerated() {
            bases[i] = source.base
            splats[i] = source.splat
            for row in 0..<rows { offsets[i * rows + row] = source.offsets.map { Int($0[row]) } ?? row * width }
        }
        registers = .allocate(capacity: max(1, steps.count) * Self.blockChunks * tasks)
        rowBases = .allocate(capacity: max(1, sources.count) * tasks)
        partials = .allocate(capacity: tasks)
    }

    deinit {
        stepList.deinitialize(count: stepCount)
        stepList.deallocate()
        bases.deallocate()
        offsets.deallocate()
        splats.deallocate()
        registers.deallocate()
        rowBases.deallocate()
        partials.deallocate()
    }

    /// Evaluates the kernel into `out` (the domain, one sum per row, or the mean).
    public func run(into out: UnsafeMutablePointer<Float>, pool: WorkerPool) {
        let chunks = (width + 15) / 16
        pool.run(tasks: tasks) { task, _ in
            let registers = self.registers + task * self.stepCount * Self.blockChunks
            let rowBases = self.rowBases + task * self.inputCount
            var total = 0.0
            if self.rows > 1 {
                for row in (task * self.rows / self.tasks)..<((task + 1) * self.rows / self.tasks) {
                    total += self.evaluate(row: row, chunks: 0..<chunks, registers, rowBases, out)
                }
            } else {
                let range = (task * chunks / self.tasks)..<((task + 1) * chunks / self.tasks)
                total = self.evaluate(row: 0, chunks: range, registers, rowBases, out)
            }
            self.partials[task] = total
        }
        if reduction == .meanAll {
            var sum = 0.0
            for task in 0..<tasks { sum += partials[task] }
            out[0] = Float(sum / Double(max(rows * width, 1)))
        }
    }

    /// Chunks of 16 floats evaluated together: each step of the chain runs over a whole
    /// block, so its dispatch is paid once per 256 floats.
    static let blockChunks = 16

    /// Runs the chain over some chunks of one row; returns the row's sum for a reduction.
    @inline(__always)
    func evaluate(
        row: Int, chunks: Range<Int>, _ registers: UnsafeMutablePointer<SIMD16<Float>>,
        _ rowBases: UnsafeMutablePointer<UnsafePointer<Float>>, _ out: UnsafeMutablePointer<Float>
    ) -> Double {
        for i in 0..<inputCount { rowBases[i] = bases[i] + offsets[i * rows + row] }
        var rowSum = SIMD16<Float>()
        let block = Self.blockChunks
        let result = registers + (stepCount - 1) * block
        let output = out + row * width
        var first = chunks.lowerBound
        while first < chunks.upperBound {
            let count = min(block, chunks.upperBound - first)
            for index in 0..<stepCount {
                let target = registers + index * block
                switch stepList[index] {
                case .input(let i):
                    let base = rowBases[i]
                    if splats[i] {
                        for k in 0..<count { target[k] = SIMD16(repeating: base[0]) }
                    } else {
                        for k in 0..<count { target[k] = load(base, chunk: first + k) }
                    }
                case .constant(let c):
                    for k in 0..<count { target[k] = SIMD16(repeating: Float(c)) }
                case .unary(let f, let a):
                    let x = registers + a * block
                    for k in 0..<count { target[k] = Self.apply(f, x[k]) }
                case .binary(let f, let a, let b):
                    let x = registers + a * block
                    let y = registers + b * block
                    switch f {
                    case .add: for k in 0..<count { target[k] = x[k] + y[k] }
                    case .sub: for k in 0..<count { target[k] = x[k] - y[k] }
                    case .mul: for k in 0..<count { target[k] = x[k] * y[k] }
                    case .div: for k in 0..<count { target[k] = x[k] / y[k] }
                    }
                case .derivative(let f, let i, let o, let u):
                    let x = registers + i * block
                    let y = registers + o * block
                    let dy = registers + u * block
                    for k in 0..<count { target[k] = dy[k] * Self.derivative(f, input: x[k], output: y[k]) }
                case .activationBackward(let f, let o, let u):
                    let y = registers + o * block
                    let dy = registers + u * block
                    for k in 0..<count { target[k] = dy[k] * Self.derivative(f, fromOutput: y[k]) }
                }
            }
            for k in 0..<count {
                let start = (first + k) * 16
                let lanes = min(16, width - start)
                switch reduction {
                case nil:
                    if lanes == 16 {
                        UnsafeMutableRawPointer(output + start).storeBytes(of: result[k], as: SIMD16<Float>.self)
                    } else {
                        for lane in 0..<lanes { output[start + lane] = result[k][lane] }
                    }
                case .sumLast, .meanAll:
                    if lanes == 16 {
                        rowSum += result[k]
                    } else {
                        for lane in 0..<lanes { rowSum[lane] += result[k][lane] }
                    }
                }
            }
            first += count
        }
        let sum = rowSum.sum()
        if reduction == .sumLast { out[row] = sum }
        return Double(sum)
    }

    /// Chunk `chunk` of a row (zeros past its end).
    @inline(__always)
    func load(_ base: UnsafePointer<Float>, chunk: Int) -> SIMD16<Float> {
        let start = chunk * 16
        let lanes = min(16, width - start)
        if lanes == 16 { return UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self) }
        var partial = SIMD16<Float>()
        for lane in 0..<lanes { partial[lane] = base[start + lane] }
        return partial
    }

    // MARK: Vector math (float32; within a few ulp of libm)

    @inline(__always)
    static func apply(_ f: UnaryFunction, _ x: SIMD16<Float>) -> SIMD16<Float> {
        switch f {
        case .neg: return -x
        case .exp: return exp(x)
        case .log: return log(x)
        case .square: return x * x
        case .softplus: return softplus(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .logSigmoid: return -softplus(-x)
        case .tanh: return tanh(x)
        case .relu: return x.blending(0, where: x .< 0)
        case .elu: return x.blending(expm1(x), where: x .<= 0)
        case .leakyRelu(let slope): return x.blending(x * Float(slope), where: x .<= 0)
        }
    }

    @inline(__always)
    static func derivative(_ f: UnaryFunction, input x: SIMD16<Float>, output y: SIMD16<Float>) -> SIMD16<Float> {
        let one = SIMD16<Float>(repeating: 1)
        switch f {
        case .neg: return -one
        case .exp: return y
        case .log: return 1 / x
        case .square: return 2 * x
        case .softplus: return 1 / (1 + exp(-x))
        case .sigmoid: return y * (1 - y)
        case .logSigmoid: return 1 / (1 + exp(x))
        case .tanh: return 1 - y * y
        case .relu: return one.blending(0, where: x .<= 0)
        case .elu: return one.blending(y + 1, where: x .<= 0)
        case .leakyRelu(let slope): return one.blending(Float(slope), where: x .<= 0)
        }
    }

    @inline(__always)
    static func derivative(_ f: UnaryFunction, fromOutput y: SIMD16<Float>) -> SIMD16<Float> {
        let one = SIMD16<Float>(repeating: 1)
        switch f {
        case .relu: return one.blending(0, where: y .<= 0)
        case .leakyRelu(let slope): return one.blending(Float(slope), where: y .<= 0)
        case .elu: return one.blending(y + 1, where: y .<= 0)
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        case .softplus: return -expm1(-y)
        case .exp: return y
        case .neg, .log, .square, .logSigmoid: return SIMD16(repeating: Float.nan)
        }
    }

    /// max(x, 0) + log(1 + exp(-|x|)).
    @inline(__always)
    static func softplus(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let magnitude = x.magnitude
        return x.blending(0, where: x .< 0) + log(1 + exp(-magnitude))
    }

    // Polynomials are written with `addingProduct` (fused multiply-add): chains of separate
    // multiplies and adds on SIMD16 are split by LLVM's vectoriser into 8 + 4 + 2 + 1 lanes.

    /// e^x by range reduction to [-ln2/2, ln2/2] and a degree-6 polynomial (Cephes expf).
    @inline(__always)
    static func exp(_ input: SIMD16<Float>) -> SIMD16<Float> {
        let x = input.blending(88.72, where: input .> 88.72).blending(-87.33, where: input .< -87.33)
        // Rounds x / ln 2 to the nearest integer n; the sum's low bits hold n as an integer.
        let magic = SIMD16<Float>(repeating: 12_582_912)
        let shifted = magic.addingProduct(x, SIMD16(repeating: 1.442_695_04))
        let n: SIMD16<Float> = shifted - magic
        var r = x.addingProduct(n, SIMD16(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD16(repeating: 2.121_944_4e-4))
        var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
        p = SIMD16(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = SIMD16(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = SIMD16(repeating: 4.166_579_59e-2).addingProduct(p, r)
        p = SIMD16(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = SIMD16(repeating: 5.000_000_1e-1).addingProduct(p, r)
        let polynomial = (r + 1).addingProduct(p, r * r)
        let exponent: SIMD16<UInt32> = (bits(shifted) &- bits(magic) &+ 127) &<< 23
        return (polynomial * float(exponent)).blending(input, where: input .!= input)
    }

    /// e^x - 1, with a short series near zero where the subtraction would cancel.
    @inline(__always)
    static func expm1(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var series = SIMD16<Float>(repeating: 1.0 / 24).addingProduct(x, SIMD16(repeating: 1.0 / 120))
        series = SIMD16(repeating: 1.0 / 6).addingProduct(series, x)
        series = SIMD16(repeating: 0.5).addingProduct(series, x)
        series = SIMD16(repeating: 1).addingProduct(series, x)
        series *= x
        return (exp(x) - 1).blending(series, where: x.magnitude .< 0.0625)
    }

    /// Natural logarithm (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)), found
    /// without a comparison by offsetting the bits so the exponent steps at sqrt(1/2) (as
    /// musl's logf does); zero, negatives, infinity and NaN are patched afterwards.
    @inline(__always)
    static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let shifted = bits(x) &+ 0x004A_FB0D
        // The exponent as a float, through the bits of 2^23 + e.
        let e: SIMD16<Float> = float((shifted &>> 23) | 0x4B00_0000) - (8_388_608 + 127)
        let m: SIMD16<Float> = float((shifted & 0x007F_FFFF) &+ 0x3F35_04F3) - 1
        let z: SIMD16<Float> = m * m
        var y = SIMD16<Float>(repeating: 7.037_683_629_2e-2)
        y = SIMD16(repeating: -1.151_461_031_0e-1).addingProduct(y, m)
        y = SIMD16(repeating: 1.167_699_874_0e-1).addingProduct(y, m)
        y = SIMD16(repeating: -1.242_014_084_6e-1).addingProduct(y, m)
        y = SIMD16(repeating: 1.424_932_278_7e-1).addingProduct(y, m)
        y = SIMD16(repeating: -1.666_805_766_5e-1).addingProduct(y, m)
        y = SIMD16(repeating: 2.000_071_476_5e-1).addingProduct(y, m)
        y = SIMD16(repeating: -2.499_999_399_3e-1).addingProduct(y, m)
        y = SIMD16(repeating: 3.333_333_117_4e-1).addingProduct(y, m)
        y = y * m * z
        y = y.addingProduct(e, SIMD16(repeating: -2.121_944_4e-4))
        y = y.addingProduct(z, SIMD16(repeating: -0.5))
        var result = (m + y).addingProduct(e, SIMD16(repeating: 0.693_359_375))
        // Positive normal numbers need no patch (softplus's log(1 + e^-|x|) never does).
        let special = (x .<= 0) .| (x .>= Float.infinity) .| (x .!= x) .| (x .< Float.leastNormalMagnitude)
        if any(special) {
            result = result.blending(-Float.infinity, where: x .== 0)
            result = result.blending(Float.nan, where: x .< 0)
            result = result.blending(x, where: x .== Float.infinity)
            result = result.blending(x, where: x .!= x)
            let subnormal = (x .> 0) .& (x .< Float.leastNormalMagnitude)
            if any(subnormal) {
                for lane in 0..<16 where subnormal[lane] { result[lane] = Foundation.log(x[lane]) }
            }
        }
        return result
    }

    /// tanh from e^(-2|x|), with the Taylor series near zero.
    @inline(__always)
    static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let magnitude = x.magnitude
        let e = exp(-2 * magnitude)
        var t: SIMD16<Float> = (1 - e) / (1 + e)
        let x2: SIMD16<Float> = x * x
        var series = SIMD16<Float>(repeating: 2.0 / 15).addingProduct(x2, SIMD16(repeating: -17.0 / 315))
        series = SIMD16(repeating: -1.0 / 3).addingProduct(series, x2)
        series = SIMD16(repeating: 1).addingProduct(series, x2)
        series *= magnitude
        t = t.blending(series, where: magnitude .< 0.0625)
        return t.blending(-t, where: x .< 0)
    }

    @inline(__always)
    static func bits(_ x: SIMD16<Float>) -> SIMD16<UInt32> { unsafeBitCast(x, to: SIMD16<UInt32>.self) }

    @inline(__always)
    static func float(_ bits: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(bits, to: SIMD16<Float>.self) }
}
