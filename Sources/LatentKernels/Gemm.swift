import LatentIR

/// What a matrix product does to each output element before storing it.
public struct Epilogue {
    /// Added to every row (one value per output column), or nil.
    public var bias: UnsafePointer<Float>?
    /// Negative sums are multiplied by this after the bias: 0 is ReLU, 1 is none.
    public var negativeSlope: Float
    /// A matrix of the output's shape added to it (a gradient's other part), or nil.
    public var addend: UnsafePointer<Float>?
    /// An optimizer step that takes each block of the output as the gradient of the same
    /// block of a parameter, instead of storing it; nil to store the output.
    public var update: FusedUpdate?

    public init(
        bias: UnsafePointer<Float>? = nil, negativeSlope: Float = 1, addend: UnsafePointer<Float>? = nil,
        update: FusedUpdate? = nil
    ) {
        self.bias = bias
        self.negativeSlope = negativeSlope
        self.addend = addend
        self.update = update
    }

    public static var none: Epilogue { Epilogue() }
}

/// An optimizer step applied inside a matrix product: the rule and the parameter and
/// moments it updates (laid out like the product).
public struct FusedUpdate {
    public var rule: OptimizerUpdate
    public var parameter: UnsafeMutablePointer<Float>
    public var first: UnsafeMutablePointer<Float>
    public var second: UnsafeMutablePointer<Float>

    public init(
        rule: OptimizerUpdate, parameter: UnsafeMutablePointer<Float>, first: UnsafeMutablePointer<Float>,
        second: UnsafeMutablePointer<Float>
    ) {
        self.rule = rule
        self.parameter = parameter
        self.first = first
        self.second = second
    }
}

extension Kernels {
    /// Width of a packed panel of B (two SIMD16 vectors) and height of a register block.
    static let panelWidth = 32
    static let blockRows = 8
    /// Depth of one pass over the B panels in a fused update (32 KB of a panel).
    static let depthChunk = 256
    /// Depth of one part of a small product over a long depth (`byDepth`).
    static let depthSplit = 1024

    /// C = A x B over row-major matrices, with the transposes backprop needs, then the
    /// epilogue (bias, ReLU) while each output block is still in registers:
    /// - neither: A [rows, inner] x B [inner, rightColumns] -> C [rows, rightColumns]
    /// - transposeB: A [rows, inner] x B [rightRows, inner]^T -> C [rows, rightRows]
    /// - transposeA: A [rows, inner]^T x B [rows, rightColumns] -> C [inner, rightColumns]
    ///
    /// A is packed in blocks of 8 rows, B in panels of 32 columns (into the thread's
    /// scratch), both contiguous along the depth, and an 8 x 32 block of C is summed in 16
    /// SIMD16 registers. Every element
    /// is one fused multiply-add chain over the depth in order (a small product over a long
    /// depth: one chain per fixed part of the depth, the parts added in order), whichever
    /// thread or block computes it, so results are bit-identical at any thread count. With an update in the
    /// epilogue, C is not written (pass any pointer) and the result says whether every
    /// gradient element was finite. With `aPatches`, `a` is an image and A is its patches
    /// (`[rows, inner]`, or stored `[rows, inner]` and transposed), gathered block by block
    /// (`ConvGeometry.isGatherable`); with `bPatches`, `b` is an image and a row-major B its
    /// patches (`ConvGeometry.isGatherableByPanels`), gathered a panel at a time.
    @discardableResult
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, inner: Int,
        rightRows: Int, rightColumns: Int, transposeA: Bool, transposeB: Bool, epilogue: Epilogue = .none,
        aPatches: ConvGeometry? = nil, bPatches: ConvGeometry? = nil, pool: WorkerPool = .with(threads: 1)
    ) -> Bool {
        let m = transposeA ? inner : rows
        let depth = transposeA ? rows : inner
        let n = transposeB ? rightRows : rightColumns
        let aRowStride = transposeA ? 1 : inner
        let aDepthStride = transposeA ? inner : 1
        // B's element (p, j) is at b[p * bDepthStride + j * bColumnStride].
        let bDepthStride = transposeB ? 1 : rightColumns
        let bColumnStride = transposeB ? inner : 1
        // Below about a million multiply-adds, waking the other threads costs more than it saves.
        let parallel = m * n * depth >= 1 << 20
        let operands = Operands(
            a: a, aRowStride: aRowStride, aDepthStride: aDepthStride, b: b, bDepthStride: bDepthStride,
            bColumnStride: bColumnStride, m: m, n: n, depth: depth, aPatches: aPatches, bPatches: bPatches)
        if aPatches != nil || bPatches != nil {
            return byStrips(operands, c, epilogue: epilogue, pool: pool, parallel: parallel)
        }
        if n == 1 {
            return gemv(
                a, b, c, m: m, depth: depth, aRowStride: aRowStride, aDepthStride: aDepthStride,
                bDepthStride: bDepthStride, epilogue: epilogue, pool: pool)
        }
        let panels = (n + panelWidth - 1) / panelWidth
        let rowBlocks = (m + blockRows - 1) / blockRows
        if m * n <= 1 << 12 && depth >= 4 * depthSplit {
            return byDepth(operands, c, epilogue: epilogue, pool: pool)
        }
        // Tall products, transposed As and updates go by strips of rows: each task owns a
        // group of row blocks, reads A once and keeps B (a depth chunk of it) in cache; only a
        // short A is better split by panels of B.
        if epilogue.update != nil || aDepthStride != 1 || (rowBlocks >= 16 * pool.threads && depth * n <= 1 << 20 && (depth > 64 || n > 64)) {
            return byStrips(operands, c, epilogue: epilogue, pool: pool, parallel: parallel)
        }
        // A row-major A is read where it is, 8 rows (8 streams) at a time; only a last partial
        // block is copied, zero-padded to 8 rows.
        let partialRows = m % blockRows
        let partial = pool.sharedScratch(count: max(partialRows > 0 ? blockRows * depth : 0, 1))
        if partialRows > 0 {
            pack(
                a + (m - partialRows) * aRowStride, rowStride: aRowStride, depthStride: 1, depth: depth,
                rows: partialRows, into: partial)
        }
        let left = LeftOperand(
            base: a, rowStride: aRowStride, depthStride: 1, blockStride: blockRows * aRowStride,
            fullBlocks: m / blockRows, partial: partial)
        // Enough tasks to share: split rows (in whole blocks) when there are few panels.
        let rowSplit = panels >= 2 * pool.threads ? 1 : min(rowBlocks, max(1, 2 * pool.threads / max(panels, 1)))
        let tasks = panels * rowSplit
        let throughTile = epilogue.addend != nil
        pool.run(tasks: tasks, parallel: parallel) { task, thread in
            let part = task % rowSplit
            let j0 = task / rowSplit * panelWidth
            let width = min(panelWidth, n - j0)
            // Packed even when row-major: rows of B far apart in memory read much slower
            // (VAE training 15,000 -> 10,000 samples/s unpacked). After the panel: a tile of C.
            let packed = pool.scratch(thread, count: depth * panelWidth + blockRows * panelWidth)
            pack(
                b + j0 * bColumnStride, depthStride: bDepthStride, columnStride: bColumnStride, depth: depth,
                width: width, into: packed)
            let tile = packed + depth * panelWidth
            let (bias0, bias1) = biasVectors(epilogue.bias, from: j0, width: width)
            let slope = epilogue.negativeSlope
            for block in (part * rowBlocks / rowSplit)..<((part + 1) * rowBlocks / rowSplit) {
                let i = block * blockRows
                let count = min(blockRows, m - i)
                // Full blocks write C in place; the edges and sums go through a tile.
                let direct = count == blockRows && width == panelWidth && !throughTile
                let target = direct ? c + i * n + j0 : tile
                let ldc = direct ? n : panelWidth
                let rows = left.block(block)
                block8(rows.start, rows.rowStride, rows.depthStride, packed, depth, target, ldc, bias0, bias1, slope)
                if direct { continue }
                for r in 0..<count {
                    let row = tile + r * panelWidth
                    let start = (i + r) * n + j0
                    if let addend = epilogue.addend {
                        for q in 0..<width { row[q] += addend[start + q] }
                    }
                    (c + start).update(from: row, count: width)
                }
            }
        }
        return true
    }

    /// A product's operands: A's element (i, p) at a[i * aRowStride + p * aDepthStride], B's
    /// element (p, j) at b[p * bDepthStride + j * bColumnStride], C [m, n].
    struct Operands {
        var a: UnsafePointer<Float>
        var aRowStride: Int
        var aDepthStride: Int
        var b: UnsafePointer<Float>
        var bDepthStride: Int
        var bColumnStride: Int
        var m: Int
        var n: Int
        var depth: Int
        /// When set, `a` is an image and A its patches, gathered as each block is packed.
        var aPatches: ConvGeometry? = nil
        /// When set, `b` is an image and B (`[positions, patch values]`) its patches.
        var bPatches: ConvGeometry? = nil
    }

    /// The bias of columns [j0, j0 + width) as two registers (zero beyond), or zeros.
    @inline(__always)
    static func biasVectors(_ bias: UnsafePointer<Float>?, from j0: Int, width: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        var bias0 = SIMD16<Float>()
        var bias1 = SIMD16<Float>()
        if let bias {
            for q in 0..<width {
                if q < 16 { bias0[q] = bias[j0 + q] } else { bias1[q - 16] = bias[j0 + q] }
            }
        }
        return (bias0, bias1)
    }

    /// A product computed by strips of rows: each task takes a group of 8-row blocks and
    /// sums them across every panel of B, a depth chunk at a time, so each chunk of the B
    /// panels stays in cache while every block of the group reads it, and A is read once.
    /// Each block's sums continue from the last chunk's, so every element is still one chain
    /// of multiply-adds in depth order; the bias and ReLU come with the last chunk.
    ///
    /// Full 8 x 32 blocks are summed in C itself; edge blocks, and every block of an update,
    /// in the task's strip (256 KB at most). An update then takes the strip's rows as the
    /// gradient of the parameter's same rows (plus `addend`) and applies the optimizer to
    /// them as contiguous runs, so the parameter and its moments stream in order as in a
    /// separate pass, while the gradient never reaches memory; the result says whether every
    /// gradient element was finite.
    ///
    /// Each task packs A for its own blocks one depth chunk at a time, into a buffer that
    /// stays in L2: packed whole first it would go through memory once more (10 MB for a
    /// convolution's patches); read in place, a transposed A's long depth stride costs a TLB
    /// entry per step, and a row-major A's eight row streams cost the kernel an address add
    /// per broadcast (packed 8 x 8 blocks at a time by register transposes: DCGAN's step
    /// +10%, interleaved runs). A transposed B is packed whole first, once for all tasks
    /// (packed per task it would be transposed again by every task).
    static func byStrips(
        _ x: Operands, _ c: UnsafeMutablePointer<Float>, epilogue: Epilogue, pool: WorkerPool, parallel: Bool
    ) -> Bool {
        let (m, n, depth) = (x.m, x.n, x.depth)
        let panels = (n + panelWidth - 1) / panelWidth
        let rowBlocks = (m + blockRows - 1) / blockRows
        let stride = panels * panelWidth
        // A large row-major B (a weight gradient's other operand, 10 MB for a deconvolution's)
        // and gathered patches (a transposed convolution's weight gradient's dY's) are packed
        // by each task, a panel's chunk just before the blocks that read it, into L1: packed
        // whole first, B would go through memory once more; read in place, its rows (a power
        // of two apart) fall in a few cache sets, and every block would read its chunk from
        // L2. A smaller or a transposed B is packed whole (each panel depth x 32,
        // contiguous), once for every task.
        let panelsByTask = x.bPatches != nil || (x.bColumnStride == 1 && depth * n > 1 << 18)
        let packedPanels = panelsByTask ? 0 : panels
        let packedB = pool.sharedScratch(count: max(packedPanels * depth * panelWidth, 1))
        pool.run(tasks: packedPanels, parallel: parallel) { panel, _ in
            let j0 = panel * panelWidth
            pack(
                x.b + j0 * x.bColumnStride, depthStride: x.bDepthStride, columnStride: x.bColumnStride, depth: depth,
                width: min(panelWidth, n - j0), into: packedB + panel * depth * panelWidth)
        }
        // Groups of row blocks share each chunk of the B panels; the strip of a group stays
        // within 256 KB, and the groups split evenly between the threads.
        // Few rows (a weight gradient of a narrow layer: 64 rows, depth 4900) split the
        // panels between the threads instead, so each reads only its part of B and uses it for
        // every row; each panel's sums are still one chain.
        let columnGroups = rowBlocks >= 8 * pool.threads ? 1 : max(1, min(panels, pool.threads))
        let largest = max(1, (256 << 10) / (4 * blockRows * stride))
        let perThread = (rowBlocks + pool.threads - 1) / pool.threads
        let rowGroups = columnGroups > 1 ? 1 : pool.threads * ((perThread + largest - 1) / largest)
        let tasks = rowGroups * columnGroups
        let group = (rowBlocks + rowGroups - 1) / rowGroups
        // Columns [0, directColumns) of full row blocks are summed in C (none for an update).
        let directColumns = epilogue.update == nil ? n / panelWidth * panelWidth : 0
        let lastChunk = (depth - 1) / depthChunk * depthChunk
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(tasks, 1)) { checks in
            pool.run(tasks: tasks, parallel: parallel) { task, thread in
                let rowGroup = task / columnGroups
                let blocks = min(rowBlocks, rowGroup * group)..<min(rowBlocks, (rowGroup + 1) * group)
                let part = task % columnGroups
                let ownPanels = (part * panels / columnGroups)..<((part + 1) * panels / columnGroups)
                let ownColumns = (ownPanels.lowerBound * panelWidth)..<min(n, ownPanels.upperBound * panelWidth)
                let stripCount = max(blocks.count, 1) * blockRows * stride
                let chunkACount = max(blocks.count, 1) * blockRows * depthChunk
                let strip = pool.scratch(thread, count: stripCount + chunkACount + depthChunk * panelWidth)
                let taskPanel = strip + stripCount + chunkACount
                let chunkA = strip + stripCount
                for chunk in Swift.stride(from: 0, to: max(depth, 1), by: depthChunk) {
                    let length = min(depthChunk, depth - chunk)
                    var block = blocks.lowerBound
                    while block < blocks.upperBound {
                        let target = chunkA + (block - blocks.lowerBound) * length * blockRows
                        let rows = min(blockRows, m - block * blockRows)
                        var packedBlocks = 1
                        if let geometry = x.aPatches, x.aDepthStride == 1 {
                            packPatchRows(
                                x.a, geometry, first: block * blockRows, rows: rows, from: chunk, length: length,
                                into: target)
                        } else if let geometry = x.aPatches {
                            // Transposed patches: the blocks within one pixel's channels at once.
                            let value = block * blockRows
                            let values = min(geometry.channels - value % geometry.channels, (blocks.upperBound - block) * blockRows)
                            packedBlocks = values / blockRows
                            packPatchColumns(
                                x.a, geometry, value: value, count: values, from: chunk, length: length, into: target,
                                rowStride: blockRows, runStride: length * blockRows)
                        } else {
                            pack(
                                x.a + chunk * x.aDepthStride + block * blockRows * x.aRowStride,
                                rowStride: x.aRowStride, depthStride: x.aDepthStride, depth: length, rows: rows,
                                into: target)
                        }
                        block += packedBlocks
                    }
                    let last = chunk == lastChunk
                    for panel in ownPanels {
                        let j0 = panel * panelWidth
                        let (bias0, bias1) =
                            last ? biasVectors(epilogue.bias, from: j0, width: min(panelWidth, n - j0)) : (SIMD16(), SIMD16())
                        if let geometry = x.bPatches {
                            packPatchColumns(
                                x.b, geometry, value: j0, count: panelWidth, from: chunk, length: length,
                                into: taskPanel, rowStride: panelWidth, runStride: blockRows)
                        } else if panelsByTask {
                            pack(
                                x.b + chunk * x.bDepthStride + j0, depthStride: x.bDepthStride, columnStride: 1,
                                depth: length, width: min(panelWidth, n - j0), into: taskPanel)
                        }
                        let right = panelsByTask ? taskPanel : packedB + (panel * depth + chunk) * panelWidth
                        for block in blocks {
                            let i = block * blockRows
                            let direct = i + blockRows <= m && j0 < directColumns
                            block8(
                                chunkA + (block - blocks.lowerBound) * length * blockRows, 1, blockRows, right, length,
                                direct ? c + i * n + j0 : strip + (block - blocks.lowerBound) * blockRows * stride + j0,
                                direct ? n : stride, bias0, bias1, last ? epilogue.negativeSlope : 1, accumulate: chunk > 0)
                        }
                    }
                }
                let first = blocks.lowerBound * blockRows
                var check: Float = 0
                for r in 0..<max(0, min(blocks.count * blockRows, m - first)) {
                    let row = strip + r * stride
                    let start = (first + r) * n
                    // Of this task's columns, those summed in C already (full blocks), and those
                    // from the strip.
                    let direct = first + r < m / blockRows * blockRows ? directColumns : 0
                    let inC = ownColumns.lowerBound..<max(ownColumns.lowerBound, min(ownColumns.upperBound, direct))
                    let fromStrip = inC.upperBound..<ownColumns.upperBound
                    if let addend = epilogue.addend {
                        for q in inC { c[start + q] += addend[start + q] }
                        for q in fromStrip { row[q] += addend[start + q] }
                    }
                    if let update = epilogue.update {
                        check += apply(
                            update.rule, update.parameter + start, update.first + start, update.second + start, row,
                            fromStrip)
                    } else {
                        (c + start + fromStrip.lowerBound).update(
                            from: row + fromStrip.lowerBound, count: fromStrip.count)
                    }
                }
                checks[task] = check
            }
            return checks.prefix(tasks).allSatisfy { $0 == 0 }
        }
    }

    /// A small product over a long depth (a thin layer's weight gradient: 32 x 16 summed over
    /// 19,600 positions), which rows or panels could not split: the depth goes in fixed parts
    /// of `depthSplit`, each part's product summed on its own, in parallel, then the parts
    /// added in order, so every element is the same at any thread count; then the epilogue.
    /// A product narrower than a panel and taller than it is wide is summed as its transpose,
    /// B^T A, so that no panel is padded.
    static func byDepth(_ product: Operands, _ c: UnsafeMutablePointer<Float>, epilogue: Epilogue, pool: WorkerPool) -> Bool {
        let transposed = product.n < panelWidth && product.m > product.n
        let x =
            transposed
            ? Operands(
                a: product.b, aRowStride: product.bColumnStride, aDepthStride: product.bDepthStride, b: product.a,
                bDepthStride: product.aDepthStride, bColumnStride: product.aRowStride, m: product.n, n: product.m,
                depth: product.depth)
            : product
        let (m, n, depth) = (x.m, x.n, x.depth)
        let panels = (n + panelWidth - 1) / panelWidth
        let rowBlocks = (m + blockRows - 1) / blockRows
        let parts = (depth + depthSplit - 1) / depthSplit
        let size = m * n
        let sums = pool.sharedScratch(count: parts * size + size)
        pool.run(tasks: parts) { part, thread in
            let start = part * depthSplit
            let length = min(depthSplit, depth - start)
            let scratch = pool.scratch(thread, count: (panels + 1) * length * panelWidth + blockRows * panelWidth)
            let packedA = scratch + panels * length * panelWidth
            let tile = packedA + length * blockRows
            for panel in 0..<panels {
                pack(
                    x.b + start * x.bDepthStride + panel * panelWidth * x.bColumnStride, depthStride: x.bDepthStride,
                    columnStride: x.bColumnStride, depth: length, width: min(panelWidth, n - panel * panelWidth),
                    into: scratch + panel * length * panelWidth)
            }
            let target = sums + part * size
            for block in 0..<rowBlocks {
                let rows = min(blockRows, m - block * blockRows)
                pack(
                    x.a + start * x.aDepthStride + block * blockRows * x.aRowStride, rowStride: x.aRowStride,
                    depthStride: x.aDepthStride, depth: length, rows: rows, into: packedA)
                for panel in 0..<panels {
                    block8(
                        packedA, 1, blockRows, scratch + panel * length * panelWidth, length, tile, panelWidth,
                        SIMD16(), SIMD16(), 1)
                    let width = min(panelWidth, n - panel * panelWidth)
                    for r in 0..<rows {
                        (target + (block * blockRows + r) * n + panel * panelWidth).update(
                            from: tile + r * panelWidth, count: width)
                    }
                }
            }
        }
        // The parts in order, into the product's own layout.
        let total = sums + parts * size
        for i in 0..<m {
            for j in 0..<n {
                var sum = sums[i * n + j]
                for part in 1..<max(parts, 1) { sum += sums[part * size + i * n + j] }
                total[transposed ? j * m + i : i * n + j] = sum
            }
        }
        // As by rows: the bias and slope, then the addend.
        let columns = product.n
        for i in 0..<size {
            let value = total[i] + (epilogue.bias?[i % columns] ?? 0)
            total[i] = (value < 0 ? value * epilogue.negativeSlope : value) + (epilogue.addend?[i] ?? 0)
        }
        if let update = epilogue.update {
            return apply(update.rule, update.parameter, update.first, update.second, total, 0..<size) == 0
        }
        c.update(from: total, count: size)
        return true
    }

    /// The left operand of a product, block by block: block b's element (r, p) at
    /// base[b * blockStride + r * rowStride + p * depthStride] (packed blocks, or rows read in
    /// place), except blocks from `fullBlocks` on: the last partial one, copied (zero-padded)
    /// to `partial` as depth x 8.
    struct LeftOperand {
        var base: UnsafePointer<Float>
        var rowStride: Int
        var depthStride: Int
        var blockStride: Int
        var fullBlocks: Int
        var partial: UnsafePointer<Float>

        /// Where block `block`'s 8 rows start and how to step through them.
        @inline(__always)
        func block(_ block: Int) -> (start: UnsafePointer<Float>, rowStride: Int, depthStride: Int) {
            block < fullBlocks ? (base + block * blockStride, rowStride, depthStride) : (partial, 1, blockRows)
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
            for p in 0..<depth { store8(load8(a + p * depthStride), packed + p * blockRows) }
            return
        }
        // Eight rows of a row-major A: 8 x 8 blocks transposed in registers.
        var p0 = 0
        if depthStride == 1 && rows == blockRows {
            while p0 + 8 <= depth {
                storeTransposed({ r in load8(a + r * rowStride + p0) }, into: packed + p0 * blockRows)
                p0 += 8
            }
        }
        for r in 0..<rows {
            let row = a + r * rowStride
            for p in p0..<depth { packed[p * blockRows + r] = row[p * depthStride] }
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
            return
        }
        // Transposed B: column q is a contiguous row of the stored matrix, so 16 x 16 blocks
        // are transposed in registers; the rest element by element.
        var p0 = 0
        if depthStride == 1 && width == panelWidth {
            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 32) { registers in
                guard let x = registers.baseAddress else { return }
                while p0 + 16 <= depth {
                    for half in 0..<2 {
                        let rows = b + p0 + half * 16 * columnStride
                        for q in 0..<16 { x[q] = load(rows + q * columnStride) }
                        transpose(x)
                        for p in 0..<16 { store(x[p], packed + (p0 + p) * panelWidth + half * 16) }
                    }
                    p0 += 16
                }
            }
        }
        for q in 0..<width {
            let source = b + q * columnStride
            for p in p0..<depth { packed[p * panelWidth + q] = source[p * depthStride] }
        }
    }

    /// Transposes the 16 x 16 block in `x[0..<16]` (row q in x[q]) in place, using
    /// `x[16..<32]` as scratch: four rounds of pairing even and odd lanes, each of which
    /// rotates the bits of (row, column) by one.
    @inline(__always)
    static func transpose(_ x: UnsafeMutablePointer<SIMD16<Float>>) {
        for round in 0..<4 {
            let from = round % 2 == 0 ? x : x + 16
            let to = round % 2 == 0 ? x + 16 : x
            for i in 0..<8 {
                to[i] = SIMD16(lowHalf: from[2 * i].evenHalf, highHalf: from[2 * i + 1].evenHalf)
                to[8 + i] = SIMD16(lowHalf: from[2 * i].oddHalf, highHalf: from[2 * i + 1].oddHalf)
            }
        }
    }

    /// Stores eight rows of 8 floats, `row(0)` to `row(7)`, transposed: lane q of row r at
    /// `packed[q * 8 + r]`, an 8 x 8 part of a packed block of A. The rows stay in registers
    /// through three rounds of pairing even and odd lanes, each of which rotates the bits of
    /// (row, column) by one.
    @inline(__always)
    static func storeTransposed(_ row: (Int) -> SIMD8<Float>, into packed: UnsafeMutablePointer<Float>) {
        var v = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        for _ in 0..<3 {
            v = (
                SIMD8(lowHalf: v.0.evenHalf, highHalf: v.1.evenHalf), SIMD8(lowHalf: v.2.evenHalf, highHalf: v.3.evenHalf),
                SIMD8(lowHalf: v.4.evenHalf, highHalf: v.5.evenHalf), SIMD8(lowHalf: v.6.evenHalf, highHalf: v.7.evenHalf),
                SIMD8(lowHalf: v.0.oddHalf, highHalf: v.1.oddHalf), SIMD8(lowHalf: v.2.oddHalf, highHalf: v.3.oddHalf),
                SIMD8(lowHalf: v.4.oddHalf, highHalf: v.5.oddHalf), SIMD8(lowHalf: v.6.oddHalf, highHalf: v.7.oddHalf)
            )
        }
        store8(v.0, packed)
        store8(v.1, packed + 8)
        store8(v.2, packed + 16)
        store8(v.3, packed + 24)
        store8(v.4, packed + 32)
        store8(v.5, packed + 40)
        store8(v.6, packed + 48)
        store8(v.7, packed + 56)
    }

    /// An 8 x 32 block of C from 8 rows of A (element (r, p) at a[r * rowStride + p * depthStride]:
    /// a packed block, or rows of a row-major matrix) and a packed panel of B (depth x 32).
    @inline(__always)
    static func block8(
        _ a: UnsafePointer<Float>, _ rowStride: Int, _ depthStride: Int, _ b: UnsafePointer<Float>, _ depth: Int,
        _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ bias0: SIMD16<Float>, _ bias1: SIMD16<Float>, _ slope: Float, accumulate: Bool = false
    ) {
        // With `accumulate`, the sums continue from the values in C (an earlier depth chunk's).
        func start(_ row: Int, _ half: Int) -> SIMD16<Float> { accumulate ? load(c + row * ldc + half * 16) : SIMD16() }
        var c00 = start(0, 0)
        var c01 = start(0, 1)
        var c10 = start(1, 0)
        var c11 = start(1, 1)
        var c20 = start(2, 0)
        var c21 = start(2, 1)
        var c30 = start(3, 0)
        var c31 = start(3, 1)
        var c40 = start(4, 0)
        var c41 = start(4, 1)
        var c50 = start(5, 0)
        var c51 = start(5, 1)
        var c60 = start(6, 0)
        var c61 = start(6, 1)
        var c70 = start(7, 0)
        var c71 = start(7, 1)
        var column = a
        var panel = b
        for _ in 0..<depth {
            let b0 = load(panel)
            let b1 = load(panel + 16)
            var x = SIMD16<Float>(repeating: column[0])
            c00.addProduct(x, b0)
            c01.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[rowStride])
            c10.addProduct(x, b0)
            c11.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[2 * rowStride])
            c20.addProduct(x, b0)
            c21.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[3 * rowStride])
            c30.addProduct(x, b0)
            c31.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[4 * rowStride])
            c40.addProduct(x, b0)
            c41.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[5 * rowStride])
            c50.addProduct(x, b0)
            c51.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[6 * rowStride])
            c60.addProduct(x, b0)
            c61.addProduct(x, b1)
            x = SIMD16<Float>(repeating: column[7 * rowStride])
            c70.addProduct(x, b0)
            c71.addProduct(x, b1)
            column += depthStride
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
            v0 = v0.selecting(v0 * slope, where: v0.lanes(lessThan: 0))
            v1 = v1.selecting(v1 * slope, where: v1.lanes(lessThan: 0))
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

    @inline(__always)
    static func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
