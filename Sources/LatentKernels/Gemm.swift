/// What a matrix product does to each output element before storing it.
public struct Epilogue {
    /// Added to every row (one value per output column), or nil.
    public var bias: UnsafePointer<Float>?
    /// Negative sums are multiplied by this after the bias: 0 is ReLU, 1 is none.
    public var negativeSlope: Float

    public init(bias: UnsafePointer<Float>? = nil, negativeSlope: Float = 1) {
        self.bias = bias
        self.negativeSlope = negativeSlope
    }

    public static var none: Epilogue { Epilogue() }
}

extension Kernels {
    /// Width of a packed panel of B (two SIMD16 vectors) and height of a register block.
    static let panelWidth = 32
    static let blockRows = 8

    /// C = A x B over row-major matrices, with the transposes backprop needs, then the
    /// epilogue (bias, ReLU) while each output block is still in registers:
    /// - neither: A [rows, inner] x B [inner, rightColumns] -> C [rows, rightColumns]
    /// - transposeB: A [rows, inner] x B [rightRows, inner]^T -> C [rows, rightRows]
    /// - transposeA: A [rows, inner]^T x B [rows, rightColumns] -> C [inner, rightColumns]
    ///
    /// A is packed in blocks of 8 rows, B in panels of 32 columns (into the thread's
    /// scratch), both contiguous along the depth, and an 8 x 32 block of C is summed in 16
    /// SIMD16 registers. Every element
    /// is one fused multiply-add chain over the depth in order, whichever thread or block
    /// computes it, so results are bit-identical at any thread count.
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, inner: Int,
        rightRows: Int, rightColumns: Int, transposeA: Bool, transposeB: Bool, epilogue: Epilogue = .none,
        pool: WorkerPool = .with(threads: 1)
    ) {
        let m = transposeA ? inner : rows
        let depth = transposeA ? rows : inner
        let n = transposeB ? rightRows : rightColumns
        let aRowStride = transposeA ? 1 : inner
        let aDepthStride = transposeA ? inner : 1
        // B's element (p, j) is at b[p * bDepthStride + j * bColumnStride].
        let bDepthStride = transposeB ? 1 : rightColumns
        let bColumnStride = transposeB ? inner : 1
        let panels = (n + panelWidth - 1) / panelWidth
        let rowBlocks = (m + blockRows - 1) / blockRows
        // Below about a million multiply-adds, waking the other threads costs more than it saves.
        let parallel = m * n * depth >= 1 << 20
        // A in blocks of 8 rows, each depth x 8 contiguous (rows past m are zero).
        let packedA = pool.sharedScratch(count: rowBlocks * depth * blockRows)
        pool.run(tasks: rowBlocks, parallel: parallel) { block, _ in
            pack(
                a + block * blockRows * aRowStride, rowStride: aRowStride, depthStride: aDepthStride, depth: depth,
                rows: min(blockRows, m - block * blockRows), into: packedA + block * depth * blockRows)
        }
        // Enough tasks to share: split rows (in whole blocks) when there are few panels.
        let rowSplit = panels >= 2 * pool.threads ? 1 : min(rowBlocks, max(1, 2 * pool.threads / max(panels, 1)))
        pool.run(tasks: panels * rowSplit, parallel: parallel) { task, thread in
            let part = task % rowSplit
            let j0 = task / rowSplit * panelWidth
            let width = min(panelWidth, n - j0)
            // Packed even when row-major: rows of B far apart in memory read much slower
            // (VAE training 15,000 -> 10,000 samples/s unpacked).
            let packed = pool.scratch(thread, count: depth * panelWidth + blockRows * panelWidth)
            pack(
                b + j0 * bColumnStride, depthStride: bDepthStride, columnStride: bColumnStride, depth: depth,
                width: width, into: packed)
            let tile = packed + depth * panelWidth
            var bias0 = SIMD16<Float>()
            var bias1 = SIMD16<Float>()
            if let bias = epilogue.bias {
                for q in 0..<width {
                    if q < 16 { bias0[q] = bias[j0 + q] } else { bias1[q - 16] = bias[j0 + q] }
                }
            }
            let slope = epilogue.negativeSlope
            for block in (part * rowBlocks / rowSplit)..<((part + 1) * rowBlocks / rowSplit) {
                let i = block * blockRows
                let count = min(blockRows, m - i)
                // Full blocks write C in place; the edges go through a tile.
                let direct = count == blockRows && width == panelWidth
                let target = direct ? c + i * n + j0 : tile
                let ldc = direct ? n : panelWidth
                block8(packedA + block * depth * blockRows, packed, depth, target, ldc, bias0, bias1, slope)
                if !direct {
                    for r in 0..<count {
                        for q in 0..<width { c[(i + r) * n + j0 + q] = tile[r * panelWidth + q] }
                    }
                }
            }
        }
    }

    /// Copies `rows` (up to 8) rows of A into a depth x 8 block, zero beyond `rows`.
    @inline(__always)
    static func pack(
        _ a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, depth: Int, rows: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        if rows < blockRows { packed.update(repeating: 0, count: depth * blockRows) }
        if rowStride == 1 && rows == blockRows {
            for p in 0..<depth {
                UnsafeMutableRawPointer(packed + p * blockRows).storeBytes(
                    of: UnsafeRawPointer(a + p * depthStride).loadUnaligned(as: SIMD8<Float>.self),
                    as: SIMD8<Float>.self)
            }
            return
        }
        for r in 0..<rows {
            let row = a + r * rowStride
            for p in 0..<depth { packed[p * blockRows + r] = row[p * depthStride] }
        }
    }

    /// Copies columns [0, width) of B into a depth x 32 panel, zero beyond `width`.
    @inline(__always)
    static func pack(
        _ b: UnsafePointer<Float>, depthStride: Int, columnStride: Int, depth: Int, width: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        if columnStride == 1 && width == panelWidth {
            for p in 0..<depth {
                store(load(b + p * depthStride), packed + p * panelWidth)
                store(load(b + p * depthStride + 16), packed + p * panelWidth + 16)
            }
            return
        }
        if width < panelWidth { packed.update(repeating: 0, count: depth * panelWidth) }
        if columnStride == 1 {
            for p in 0..<depth {
                for q in 0..<width { packed[p * panelWidth + q] = b[p * depthStride + q] }
            }
        } else {
            // Transposed B: column q is a contiguous row of the stored matrix.
            for q in 0..<width {
                let source = b + q * columnStride
                for p in 0..<depth { packed[p * panelWidth + q] = source[p * depthStride] }
            }
        }
    }

    /// An 8 x 32 block of C from a packed block of A and a packed panel of B.
    @inline(__always)
    static func block8(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ depth: Int, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ bias0: SIMD16<Float>, _ bias1: SIMD16<Float>, _ slope: Float
    ) {
        var c00 = SIMD16<Float>()
        var c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>()
        var c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>()
        var c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>()
        var c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>()
        var c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>()
        var c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>()
        var c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>()
        var c71 = SIMD16<Float>()
        var column = a
        var panel = b
        for _ in 0..<depth {
            let b0 = load(panel)
            let b1 = load(panel + 16)
            var x = SIMD16<Float>(repeating: column[0])
            c00.addProduct(x, b0)
            c01.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[1])
            c10.addProduct(x, b0)
            c11.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[2])
            c20.addProduct(x, b0)
            c21.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[3])
            c30.addProduct(x, b0)
            c31.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[4])
            c40.addProduct(x, b0)
            c41.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[5])
            c50.addProduct(x, b0)
            c51.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[6])
            c60.addProduct(x, b0)
            c61.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[7])
            c70.addProduct(x, b0)
            c71.addProduct(x, b1)
            column += blockRows
            panel += panelWidth
        }
        finish(c00, c01, c, bias0, bias1, slope)
        finish(c10, c11, c + ldc, bias0, bias1, slope)
        finish(c20, c21, c + 2 * ldc, bias0, bias1, slope)
        finish(c30, c31, c + 3 * ldc, bias0, bias1, slope)
        finish(c40, c41, c + 4 * ldc, bias0, bias1, slope)
        finish(c50, c51, c + 5 * ldc, bias0, bias1, slope)
        finish(c60, c61, c + 6 * ldc, bias0, bias1, slope)
        finish(c70, c71, c + 7 * ldc, bias0, bias1, slope)
    }

    /// Stores 32 sums with the bias added and negative values scaled by `slope`.
    @inline(__always)
    static func finish(
        _ low: SIMD16<Float>, _ high: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>, _ bias0: SIMD16<Float>,
        _ bias1: SIMD16<Float>, _ slope: Float
    ) {
        var v0 = low + bias0
        var v1 = high + bias1
        if slope != 1 {
            v0.replace(with: v0 * slope, where: v0 .< 0)
            v1.replace(with: v1 * slope, where: v1 .< 0)
        }
        store(v0, c)
        store(v1, c + 16)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}
