import Foundation
import LatentIR

/// A fused elementwise kernel bound to its buffers and run 16 floats at a time: each step of
/// the chain is one switch per SIMD16 vector, so dispatch is paid once per 16 elements.
///
/// The domain is seen as rows of `width` elements. An input either runs along the row
/// (`offsets[r]` is where row r starts), is one value spread over the row (`splat`), or
/// repeats along it every `period` values (a bias over an image's channels). An
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
        /// When positive (a multiple of 16 that divides the width, with the domain as one
        /// row and no offsets), the value at j is base[j % period].
        public var period: Int

        public init(base: UnsafePointer<Float>, offsets: [Int32]?, splat: Bool, period: Int = 0) {
            self.base = base
            self.offsets = offsets
            self.splat = splat
            self.period = period
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
    let periods: UnsafeMutablePointer<Int>
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
        periods = .allocate(capacity: max(1, sources.count))
        for (i, source) in sources.enumerated() {
            bases[i] = source.base
            splats[i] = source.splat
            periods[i] = source.period
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
        periods.deallocate()
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
                    } else if periods[i] > 0 {
                        let period = periods[i]
                        for k in 0..<count { target[k] = Kernels.load(base + (first + k) * 16 % period) }
                    } else {
                        for k in 0..<count { target[k] = load(base, chunk: first + k) }
                    }
                case .constant(let c):
                    for k in 0..<count { target[k] = SIMD16(repeating: Float(c)) }
                case .unary(let f, let a):
                    let x = registers + a * block
                    Self.applyBlock(f, x, target, count)
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
                    Self.derivativeBlock(f, x, y, dy, target, count)
                case .activationBackward(let f, let o, let u):
                    let y = registers + o * block
                    let dy = registers + u * block
                    Self.fromOutputBlock(f, y, dy, target, count)
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

    // MARK: Blocks: one switch per block, each case a loop with its function inlined

    /// The case of `f` with a constant in place of its payload, so a loop specialised for it
    /// folds every switch on it away.
    @inline(__always)
    static func specialised(_ f: UnaryFunction, _ loop: (UnaryFunction) -> Void) {
        switch f {
        case .neg: loop(.neg)
        case .exp: loop(.exp)
        case .log: loop(.log)
        case .square: loop(.square)
        case .softplus: loop(.softplus)
        case .sigmoid: loop(.sigmoid)
        case .logSigmoid: loop(.logSigmoid)
        case .tanh: loop(.tanh)
        case .relu: loop(.relu)
        case .elu: loop(.elu)
        case .leakyRelu: loop(f)
        }
    }

    @inline(never)
    static func applyBlock(
        _ f: UnaryFunction, _ x: UnsafePointer<SIMD16<Float>>, _ out: UnsafeMutablePointer<SIMD16<Float>>, _ count: Int
    ) {
        specialised(f) { f in for k in 0..<count { out[k] = apply(f, x[k]) } }
    }

    @inline(never)
    static func derivativeBlock(
        _ f: UnaryFunction, _ x: UnsafePointer<SIMD16<Float>>, _ y: UnsafePointer<SIMD16<Float>>,
        _ dy: UnsafePointer<SIMD16<Float>>, _ out: UnsafeMutablePointer<SIMD16<Float>>, _ count: Int
    ) {
        specialised(f) { f in for k in 0..<count { out[k] = dy[k] * derivative(f, input: x[k], output: y[k]) } }
    }

    @inline(never)
    static func fromOutputBlock(
        _ f: UnaryFunction, _ y: UnsafePointer<SIMD16<Float>>, _ dy: UnsafePointer<SIMD16<Float>>,
        _ out: UnsafeMutablePointer<SIMD16<Float>>, _ count: Int
    ) {
        specialised(f) { f in for k in 0..<count { out[k] = dy[k] * derivative(f, fromOutput: y[k]) } }
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
        case .relu: return x.selecting(0, where: x.lanes(lessThan: 0))
        case .elu: return x.selecting(expm1(x), where: x.lanes(atMost: 0))
        case .leakyRelu(let slope): return x.selecting(x * Float(slope), where: x.lanes(atMost: 0))
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
        case .relu: return one.selecting(0, where: x.lanes(atMost: 0))
        case .elu: return one.selecting(y + 1, where: x.lanes(atMost: 0))
        case .leakyRelu(let slope): return one.selecting(Float(slope), where: x.lanes(atMost: 0))
        }
    }

    @inline(__always)
    static func derivative(_ f: UnaryFunction, fromOutput y: SIMD16<Float>) -> SIMD16<Float> {
        let one = SIMD16<Float>(repeating: 1)
        switch f {
        case .relu: return one.selecting(0, where: y.lanes(atMost: 0))
        case .leakyRelu(let slope): return one.selecting(Float(slope), where: y.lanes(atMost: 0))
        case .elu: return one.selecting(y + 1, where: y.lanes(atMost: 0))
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
        return x.selecting(0, where: x.lanes(lessThan: 0)) + log(1 + exp(-magnitude))
    }

    // Polynomials are written with `addingProduct` (fused multiply-add): chains of separate
    // multiplies and adds on SIMD16 are split by LLVM's vectoriser into 8 + 4 + 2 + 1 lanes.

    /// e^x by range reduction to [-ln2/2, ln2/2] and a degree-6 polynomial (Cephes expf).
    @inline(__always)
    static func exp(_ input: SIMD16<Float>) -> SIMD16<Float> {
        let high = SIMD16<Float>(repeating: 88.72)
        let low = SIMD16<Float>(repeating: -87.33)
        let x = input.selecting(high, where: high.lanes(lessThan: input)).selecting(low, where: input.lanes(lessThan: low))
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
        return (polynomial * float(exponent)).selecting(input, where: input.nanLanes)
    }

    /// e^x - 1, with a short series near zero where the subtraction would cancel.
    @inline(__always)
    static func expm1(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var series = SIMD16<Float>(repeating: 1.0 / 24).addingProduct(x, SIMD16(repeating: 1.0 / 120))
        series = SIMD16(repeating: 1.0 / 6).addingProduct(series, x)
        series = SIMD16(repeating: 0.5).addingProduct(series, x)
        series = SIMD16(repeating: 1).addingProduct(series, x)
        series *= x
        return (exp(x) - 1).selecting(series, where: x.magnitude.lanes(lessThan: 0.0625))
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
        // Positive normal numbers are bits 0x0080_0000 ... 0x7F7F_FFFF; everything else
        // (rare: softplus's log(1 + e^-|x|) never has any) is patched lane by lane.
        if (x.bitPattern &- 0x0080_0000).max() >= 0x7F00_0000 {
            for lane in 0..<16 where !(x[lane].isNormal && x[lane] > 0) { result[lane] = Foundation.log(x[lane]) }
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
        t = t.selecting(series, where: magnitude.lanes(lessThan: 0.0625))
        // tanh is odd: |tanh| with the sign of x.
        return unsafeBitCast(t.bitPattern & 0x7FFF_FFFF | x.bitPattern & 0x8000_0000, to: SIMD16<Float>.self)
    }

    @inline(__always)
    static func bits(_ x: SIMD16<Float>) -> SIMD16<UInt32> { unsafeBitCast(x, to: SIMD16<UInt32>.self) }

    @inline(__always)
    static func float(_ bits: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(bits, to: SIMD16<Float>.self) }
}

/// Lane selection with integer masks. Comparisons that make a `SIMDMask` (and the standard
/// library's `replacing(with:where:)`) make LLVM split SIMD16 code into pieces and scalars,
/// up to 15x slower, and `pointwiseMin`/`pointwiseMax` stay out-of-line calls (a ReLU
/// epilogue took 60x its time), so masks here are all-ones/all-zeros `UInt32` lanes built
/// from the bits: a sign is an arithmetic shift, a comparison the sign of a difference.
extension SIMD16 where Scalar == Float {
    @inline(__always)
    var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }

    /// All ones in the lanes whose sign bit is set (NaNs included: check `nanLanes`).
    @inline(__always)
    var signLanes: SIMD16<UInt32> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD16<Int32>.self) &>> 31, to: SIMD16<UInt32>.self)
    }

    /// All ones in the lanes holding NaN: |x| above infinity's bits.
    @inline(__always)
    var nanLanes: SIMD16<UInt32> {
        let difference = SIMD16<UInt32>(repeating: 0x7F80_0000) &- (bitPattern & 0x7FFF_FFFF)
        return unsafeBitCast(unsafeBitCast(difference, to: SIMD16<Int32>.self) &>> 31, to: SIMD16<UInt32>.self)
    }

    /// All ones where self < other (false where either is NaN, as IEEE compares are).
    @inline(__always)
    func lanes(lessThan other: SIMD16<Float>) -> SIMD16<UInt32> {
        let difference = self - other
        return difference.signLanes & ~difference.nanLanes
    }

    @inline(__always)
    func lanes(lessThan value: Float) -> SIMD16<UInt32> { lanes(lessThan: SIMD16(repeating: value)) }

    /// All ones where self <= value (false for NaN).
    @inline(__always)
    func lanes(atMost value: Float) -> SIMD16<UInt32> {
        let difference = SIMD16(repeating: value) - self
        return ~difference.signLanes & ~difference.nanLanes
    }

    /// `other` in the `lanes`, `self` in the rest.
    @inline(__always)
    func selecting(_ other: SIMD16<Float>, where lanes: SIMD16<UInt32>) -> SIMD16<Float> {
        unsafeBitCast((other.bitPattern & lanes) | (bitPattern & ~lanes), to: SIMD16<Float>.self)
    }

    @inline(__always)
    func selecting(_ value: Float, where lanes: SIMD16<UInt32>) -> SIMD16<Float> {
        selecting(SIMD16(repeating: value), where: lanes)
    }

    /// |x|, by clearing the sign bits.
    @inline(__always)
    var magnitude: SIMD16<Float> { unsafeBitCast(bitPattern & 0x7FFF_FFFF, to: SIMD16<Float>.self) }

}

extension Kernels {
    /// out[j] = Σ_r source[r * width + j]: a bias's gradient summed over the rows. Widths of
    /// whole vectors add a row's vectors at a time; a single column is summed in 16 lanes,
    /// which are added in order at the end. The order is fixed by the sizes alone.
    public static func sumRows(_ source: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: width)
        if width % 16 == 0 {
            for row in 0..<rows {
                let part = source + row * width
                for j in Swift.stride(from: 0, to: width, by: 16) { store(load(out + j) + load(part + j), out + j) }
            }
        } else if width == 1 {
            var lanes = SIMD16<Float>()
            var i = 0
            while i + 16 <= rows {
                lanes += load(source + i)
                i += 16
            }
            var total: Float = 0
            for lane in 0..<16 { total += lanes[lane] }
            while i < rows {
                total += source[i]
                i += 1
            }
            out[0] = total
        } else {
            for row in 0..<rows {
                let part = source + row * width
                for j in 0..<width { out[j] += part[j] }
            }
        }
    }
}
