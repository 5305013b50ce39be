extension Kernels {
    /// The product for a single output column (n = 1: a discriminator's last layer, and its
    /// weight gradient): the packed 8 x 32 kernel would waste 31 of its 32 columns, so it is
    /// a dot product per row (A's rows contiguous) or a scaled sum of A's rows (A stored
    /// transposed), on the caller's thread, with the same epilogue as `gemm`.
    @inline(__always)
    static func gemv(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, depth: Int,
        aRowStride: Int, aDepthStride: Int, bDepthStride: Int, epilogue: Epilogue, pool: WorkerPool
    ) -> Bool {
        let out = epilogue.update == nil ? c : pool.scratch(0, count: m)
        if aDepthStride == 1 {
            for i in 0..<m {
                let row = a + i * aRowStride
                var sums = SIMD16<Float>()
                var p = 0
                if bDepthStride == 1 {
                    while p + 16 <= depth {
                        sums = sums.addingProduct(load(row + p), load(b + p))
                        p += 16
                    }
                }
                var sum = sums.sum()
                while p < depth {
                    sum += row[p] * b[p * bDepthStride]
                    p += 1
                }
                out[i] = sum
            }
        } else {
            // A^T: out = sum over p of b[p] * (row p of the stored matrix).
            out.update(repeating: 0, count: m)
            for p in 0..<depth {
                let row = a + p * aDepthStride
                let scale = b[p * bDepthStride]
                var i = 0
                while i + 16 <= m {
                    store(load(out + i).addingProduct(load(row + i), SIMD16(repeating: scale)), out + i)
                    i += 16
                }
                while i < m {
                    out[i] += row[i] * scale
                    i += 1
                }
            }
        }
        for i in 0..<m {
            var value = out[i] + (epilogue.bias?[0] ?? 0) + (epilogue.addend?[i] ?? 0)
            if value < 0 { value *= epilogue.negativeSlope }
            out[i] = value
        }
        guard let update = epilogue.update else { return true }
        return apply(update.rule, update.parameter, update.first, update.second, out, 0..<m) == 0
    }
}
