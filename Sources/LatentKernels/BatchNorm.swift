/// A training batch norm over x `[rows, channels]` (channels last, row-major), in as few
/// passes over memory as its maths allows: the statistics in two (the means, then the
/// squares about them), the normalisation with its activation in one, and the backward in
/// two (the per-channel sums, then the gradient). The activation is piecewise linear, given
/// by its negative slope (1 for none), so its derivative follows from the output.
///
/// Per-channel sums go by fixed chunks of rows, each summed in Float, then the chunks in
/// order in Double: every result is the same at any thread count.
extension Kernels {
    /// The per-channel means, then the (biased) variances, into `out` `[2 × channels]`.
    public static func batchMoments(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, into out: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        let perRow = 1 / Double(max(rows, 1))
        channelSums(rows: rows, channels: channels, width: 1, scale: perRow, pool: pool, into: out) { range, partial in
            for row in range {
                let values = x + row * channels
                byChannels(channels) { c in
                    store(load(partial + c) + load(values + c), partial + c)
                } scalar: { c in
                    partial[c] += values[c]
                }
            }
        }
        let mean = UnsafePointer(out)
        channelSums(rows: rows, channels: channels, width: 1, scale: perRow, pool: pool, into: out + channels) {
            range, partial in
            for row in range {
                let values = x + row * channels
                byChannels(channels) { c in
                    let centered = load(values + c) - load(mean + c)
                    store(load(partial + c) + centered * centered, partial + c)
                } scalar: { c in
                    let centered = values[c] - mean[c]
                    partial[c] += centered * centered
                }
            }
        }
    }

    /// f((x − mean) / √(variance + ε) · scale + shift), f the activation of negative slope `slope`.
    public static func batchNorm(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, moments: UnsafePointer<Float>, scale: UnsafePointer<Float>,
        shift: UnsafePointer<Float>, slope: Float, epsilon: Double, into out: UnsafeMutablePointer<Float>,
        pool: WorkerPool
    ) {
        let factor = channelTable(pool, count: channels)
        for c in 0..<channels { factor[c] = scale[c] * inverseDeviation(moments, channels, c, epsilon) }
        byRows(rows: rows, channels: channels, pool: pool) { row in
            let values = x + row * channels
            let target = out + row * channels
            byChannels(channels) { c in
                let y = (load(values + c) - load(moments + c)) * load(factor + c) + load(shift + c)
                store(y.selecting(y * slope, where: y.lanes(lessThan: 0)), target + c)
            } scalar: { c in
                let y = (values[c] - moments[c]) * factor[c] + shift[c]
                target[c] = y < 0 ? y * slope : y
            }
        }
    }

    /// The backward's per-channel sums into `out` `[2 × channels]`: Σ g, then Σ g · x̂, where
    /// g = upstream · f′ (read from `output`) and x̂ = (x − mean) / √(variance + ε).
    public static func batchNormSums(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, moments: UnsafePointer<Float>, output: UnsafePointer<Float>,
        upstream: UnsafePointer<Float>, slope: Float, epsilon: Double, into out: UnsafeMutablePointer<Float>,
        pool: WorkerPool
    ) {
        let inverse = channelTable(pool, count: channels)
        for c in 0..<channels { inverse[c] = inverseDeviation(moments, channels, c, epsilon) }
        let terms = BackwardTerms(
            x: x, moments: moments, inverse: inverse, output: output, upstream: upstream, slope: slope)
        channelSums(rows: rows, channels: channels, width: 2, scale: 1, pool: pool, into: out) { range, partial in
            for row in range {
                let start = row * channels
                byChannels(channels) { c in
                    let (g, normalized) = terms.vector(start + c, c)
                    store(load(partial + c) + g, partial + c)
                    store(load(partial + channels + c) + g * normalized, partial + channels + c)
                } scalar: { c in
                    let (g, normalized) = terms.scalar(start + c, c)
                    partial[c] += g
                    partial[channels + c] += g * normalized
                }
            }
        }
    }

    /// x's gradient: scale / √(variance + ε) · (g − (Σ g + x̂ Σ g · x̂) / rows), with the sums
    /// of `batchNormSums`.
    public static func batchNormGradient(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, moments: UnsafePointer<Float>, scale: UnsafePointer<Float>,
        sums: UnsafePointer<Float>, output: UnsafePointer<Float>, upstream: UnsafePointer<Float>, slope: Float,
        epsilon: Double, into out: UnsafeMutablePointer<Float>, pool: WorkerPool
    ) {
        // Per channel: 1 / σ, scale / σ, Σ g / rows, Σ g · x̂ / rows.
        let inverse = channelTable(pool, count: 4 * channels)
        let (factor, meanG, meanGX) = (inverse + channels, inverse + 2 * channels, inverse + 3 * channels)
        for c in 0..<channels {
            inverse[c] = inverseDeviation(moments, channels, c, epsilon)
            factor[c] = scale[c] * inverse[c]
            meanG[c] = sums[c] / Float(max(rows, 1))
            meanGX[c] = sums[channels + c] / Float(max(rows, 1))
        }
        let terms = BackwardTerms(
            x: x, moments: moments, inverse: inverse, output: output, upstream: upstream, slope: slope)
        byRows(rows: rows, channels: channels, pool: pool) { row in
            let start = row * channels
            byChannels(channels) { c in
                let (g, normalized) = terms.vector(start + c, c)
                store(load(factor + c) * (g - load(meanG + c) - normalized * load(meanGX + c)), out + start + c)
            } scalar: { c in
                let (g, normalized) = terms.scalar(start + c, c)
                out[start + c] = factor[c] * (g - meanG[c] - normalized * meanGX[c])
            }
        }
    }

    /// What both backward passes read of an element: g = upstream · f′ (f′ from the output:
    /// 1 above 0, `slope` otherwise) and x̂ = (x − mean) / σ, for 16 channels or one.
    struct BackwardTerms {
        let x: UnsafePointer<Float>
        let moments: UnsafePointer<Float>
        let inverse: UnsafePointer<Float>
        let output: UnsafePointer<Float>
        let upstream: UnsafePointer<Float>
        let slope: Float

        /// Elements i..<i + 16, of channels c..<c + 16.
        @inline(__always)
        func vector(_ i: Int, _ c: Int) -> (g: SIMD16<Float>, normalized: SIMD16<Float>) {
            let dy = load(upstream + i)
            let g = dy.selecting(dy * slope, where: load(output + i).lanes(atMost: 0))
            return (g, (load(x + i) - load(moments + c)) * load(inverse + c))
        }

        /// Element i, of channel c.
        @inline(__always)
        func scalar(_ i: Int, _ c: Int) -> (g: Float, normalized: Float) {
            (output[i] > 0 ? upstream[i] : upstream[i] * slope, (x[i] - moments[c]) * inverse[c])
        }
    }

    /// 1 / √(variance + ε) of channel c, the variances following the means in `moments`.
    @inline(__always)
    static func inverseDeviation(_ moments: UnsafePointer<Float>, _ channels: Int, _ c: Int, _ epsilon: Double) -> Float {
        Float(1 / (Double(moments[channels + c]) + epsilon).squareRoot())
    }

    /// A table of `count` floats (per-channel factors) in the calling thread's scratch, which
    /// the batch-norm kernels' tasks do not use: no allocation in a training step.
    static func channelTable(_ pool: WorkerPool, count: Int) -> UnsafeMutablePointer<Float> {
        pool.scratch(0, count: max(count, 1))
    }

    /// Rows per chunk of a per-channel sum: about 64 KB of x, from 16 to 256 rows.
    static func chunkRows(channels: Int) -> Int { max(16, min(256, (1 << 14) / max(channels, 1))) }

    /// Sums `width` quantities per channel over every row: `add(rows, partial)` adds those of
    /// one chunk of rows into its zeroed `partial` `[width × channels]`; the chunks' partials
    /// are then summed in order in Double, scaled, and written to `out`.
    @inline(__always)
    static func channelSums(
        rows: Int, channels: Int, width: Int, scale: Double, pool: WorkerPool, into out: UnsafeMutablePointer<Float>,
        _ add: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let chunk = chunkRows(channels: channels)
        let chunks = (rows + chunk - 1) / chunk
        let size = width * channels
        let partials = pool.sharedScratch(count: max(chunks * size, 1))
        pool.run(tasks: chunks, parallel: rows * channels >= 1 << 14) { k, _ in
            let partial = partials + k * size
            partial.update(repeating: 0, count: size)
            add((k * chunk)..<min(rows, (k + 1) * chunk), partial)
        }
        for i in 0..<size {
            var total = 0.0
            for k in 0..<chunks { total += Double(partials[k * size + i]) }
            out[i] = Float(total * scale)
        }
    }

    /// Runs `body(row)` for every row, the rows split between threads in chunks.
    @inline(__always)
    static func byRows(rows: Int, channels: Int, pool: WorkerPool, _ body: (Int) -> Void) {
        let chunk = chunkRows(channels: channels)
        pool.run(tasks: (rows + chunk - 1) / chunk, parallel: rows * channels >= 1 << 14) { k, _ in
            for row in (k * chunk)..<min(rows, (k + 1) * chunk) { body(row) }
        }
    }

    /// `vector(c)` for each run of 16 channels from c, then `scalar(c)` for each channel left.
    @inline(__always)
    static func byChannels(_ channels: Int, vector: (Int) -> Void, scalar: (Int) -> Void) {
        var c = 0
        while c + 16 <= channels {
            vector(c)
            c += 16
        }
        while c < channels {
            scalar(c)
            c += 1
        }
    }
}
