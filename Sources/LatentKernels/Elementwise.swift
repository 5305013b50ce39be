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
        registers = .allocate(capacity: max(1, steps.count) * tasks)
        rowBases = .allocate(capacity: max(1, sources.count) * tasks)
        partials = .allocate(capacity: tasks)
    }

    deinit {
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
            let registers = self.registers + task * self.steps.count
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

    /// Runs the chain over some chunks of one row; returns the row's sum for a reduction.
    @inline(__always)
    func evaluate(
        row: Int, chunks: Range<Int>, _ registers: UnsafeMutablePointer<SIMD16<Float>>,
        _ rowBases: UnsafeMutablePointer<UnsafePointer<Float>>, _ out: UnsafeMutablePointer<Float>
    ) -> Double {
        for i in 0..<inputCount { rowBases[i] = bases[i] + offsets[i * rows + row] }
        var rowSum = SIMD16<Float>()
        let last = steps.count - 1
        let output = out + row * width
        for chunk in chunks {
            let start = chunk * 16
            let lanes = min(16, width - start)
            for (index, step) in steps.enumerated() {
                let value: SIMD16<Float>
                switch step {
                case .input(let i):
                    let base = rowBases[i]
                    if splats[i] {
                        value = SIMD16(repeating: base[0])
                    } else if lanes == 16 {
                        value = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self)
                    } else {
                        var partial = SIMD16<Float>()
                        for lane in 0..<lanes { partial[lane] = base[start + lane] }
                        value = partial
                    }
                case .constant(let c): value = SIMD16(repeating: Float(c))
                case .unary(let f, let a): value = Self.apply(f, registers[a])
                case .binary(let f, let a, let b):
                    let x = registers[a]
                    let y = registers[b]
                    switch f {
                    case .add: value = x + y
                    case .sub: value = x - y
                    case .mul: value = x * y
                    case .div: value = x / y
                    }
                case .derivative(let f, let i, let o, let u):
                    value = registers[u] * Self.derivative(f, input: registers[i], output: registers[o])
                case .activationBackward(let f, let o, let u):
                    value = registers[u] * Self.derivative(f, fromOutput: registers[o])
                }
                registers[index] = value
            }
            let result = registers[last]
            switch reduction {
            case nil:
                if lanes == 16 {
                    UnsafeMutableRawPointer(output + start).storeBytes(of: result, as: SIMD16<Float>.self)
                } else {
                    for lane in 0..<lanes { output[start + lane] = result[lane] }
                }
            case .sumLast, .meanAll:
                if lanes == 16 {
                    rowSum += result
                } else {
                    for lane in 0..<lanes { rowSum[lane] += result[lane] }
                }
            }
        }
        let sum = rowSum.sum()
        if reduction == .sumLast { out[row] = sum }
        return Double(sum)
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
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .elu: return x.replacing(with: expm1(x), where: x .<= 0)
        case .leakyRelu(let slope): return x.replacing(with: x * Float(slope), where: x .<= 0)
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
        case .relu: return one.replacing(with: 0, where: x .<= 0)
        case .elu: return one.replacing(with: y + 1, where: x .<= 0)
        case .leakyRelu(let slope): return one.replacing(with: Float(slope), where: x .<= 0)
        }
    }

    @inline(__always)
    static func derivative(_ f: UnaryFunction, fromOutput y: SIMD16<Float>) -> SIMD16<Float> {
        let one = SIMD16<Float>(repeating: 1)
        switch f {
        case .relu: return one.replacing(with: 0, where: y .<= 0)
        case .leakyRelu(let slope): return one.replacing(with: Float(slope), where: y .<= 0)
        case .elu: return one.replacing(with: y + 1, where: y .<= 0)
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
        let magnitude = x.replacing(with: -x, where: x .< 0)
        return x.replacing(with: 0, where: x .< 0) + log(1 + exp(-magnitude))
    }

    /// e^x by range reduction to [-ln2/2, ln2/2] and a degree-6 polynomial (Cephes expf).
    @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var x = x.replacing(with: 88.72, where: x .> 88.72)
        x.replace(with: -87.33, where: x .< -87.33)
        // Rounds x / ln 2 to the nearest integer n; the sum's low bits hold n as an integer.
        let magic = SIMD16<Float>(repeating: 12_582_912)
        let shifted: SIMD16<Float> = x * 1.442_695_04 + magic
        let n: SIMD16<Float> = shifted - magic
        var r: SIMD16<Float> = x - n * 0.693_359_375
        r += n * 2.121_944_4e-4
        var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        let square: SIMD16<Float> = r * r
        let polynomial: SIMD16<Float> = p * square + r + 1
        let exponent: SIMD16<UInt32> = (bits(shifted) &- bits(magic) &+ 127) &<< 23
        return polynomial * float(exponent)
    }

    /// e^x - 1, with a short series near zero where the subtraction would cancel.
    @inline(__always)
    static func expm1(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var series: SIMD16<Float> = x * (1.0 / 120) + 1.0 / 24
        series = series * x + 1.0 / 6
        series = series * x + 0.5
        series = series * x + 1
        series *= x
        let magnitude = x.replacing(with: -x, where: x .< 0)
        return (exp(x) - 1).replacing(with: series, where: magnitude .< 0.0625)
    }

    /// Natural logarithm (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)).
    @inline(__always)
    static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let pattern = bits(x)
        // The biased exponent as a float, through the bits of 2^23 + e.
        let biased: SIMD16<Float> = float((pattern &>> 23) | 0x4B00_0000) - 8_388_608
        var e: SIMD16<Float> = biased - 126
        var m = float((pattern & 0x007F_FFFF) | 0x3F00_0000)  // [0.5, 1)
        let small = m .< 0.707_106_77
        e.replace(with: e - 1, where: small)
        m.replace(with: m + m, where: small)
        m -= 1
        let z: SIMD16<Float> = m * m
        var y = SIMD16<Float>(repeating: 7.037_683_629_2e-2)
        y = y * m - 1.151_461_031_0e-1
        y = y * m + 1.167_699_874_0e-1
        y = y * m - 1.242_014_084_6e-1
        y = y * m + 1.424_932_278_7e-1
        y = y * m - 1.666_805_766_5e-1
        y = y * m + 2.000_071_476_5e-1
        y = y * m - 2.499_999_399_3e-1
        y = y * m + 3.333_333_117_4e-1
        y = y * m * z
        y -= e * 2.121_944_4e-4
        y -= z * 0.5
        var result: SIMD16<Float> = m + y
        result += e * 0.693_359_375
        result.replace(with: -Float.infinity, where: x .== 0)
        result.replace(with: Float.nan, where: x .< 0)
        result.replace(with: x, where: x .== Float.infinity)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// tanh from e^(-2|x|), with the Taylor series near zero.
    @inline(__always)
    static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        let e = exp(-2 * magnitude)
        var t: SIMD16<Float> = (1 - e) / (1 + e)
        let x2: SIMD16<Float> = x * x
        var series: SIMD16<Float> = x2 * (-17.0 / 315) + 2.0 / 15
        series = series * x2 - 1.0 / 3
        series = series * x2 + 1
        series *= magnitude
        t.replace(with: series, where: magnitude .< 0.0625)
        return t.replacing(with: -t, where: x .< 0)
    }

    @inline(__always)
    static func bits(_ x: SIMD16<Float>) -> SIMD16<UInt32> { unsafeBitCast(x, to: SIMD16<UInt32>.self) }

    @inline(__always)
    static func float(_ bits: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(bits, to: SIMD16<Float>.self) }
}
