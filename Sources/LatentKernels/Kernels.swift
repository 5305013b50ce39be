/// Dense float32 kernels. This target is compiled with -Ounchecked and for the host CPU in
/// every configuration, so debug builds and tests run them near full speed.
public enum Kernels {
    /// C = A x B over row-major matrices, with the transposes backprop needs:
    /// - neither: A [rows, inner] x B [inner, rightColumns] -> C [rows, rightColumns]
    /// - transposeB: A [rows, inner] x B[rightRows, inner]^T -> C [rows, rightRows]
    /// - transposeA: A [rows, inner]^T x B [rows, rightColumns] -> C [inner, rightColumns]
    /// Every element is summed in the same order whatever the sizes, so results are
    /// reproducible.
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, inner: Int,
        rightRows: Int, rightColumns: Int, transposeA: Bool, transposeB: Bool
    ) {
        if transposeA {
            // C[i, j] = sum over r of A[r, i] B[r, j]: row i of C reads column i of A.
            multiply(
                a, rowStride: 1, depthStride: inner, b, ldb: rightColumns, c, ldc: rightColumns, rows: inner,
                columns: rightColumns, depth: rows)
        } else if transposeB {
            dotProducts(a, b, c, rows: rows, inner: inner, rightRows: rightRows)
        } else {
            multiply(
                a, rowStride: inner, depthStride: 1, b, ldb: rightColumns, c, ldc: rightColumns, rows: rows,
                columns: rightColumns, depth: inner)
        }
    }

    /// C [rows, columns] = A x B, where A's element (i, p) is at a[i * rowStride + p * depthStride]
    /// and B's element (p, j) at b[p * ldb + j]. Blocks of 4 rows x 32 columns keep eight
    /// SIMD16 accumulators in registers (an 8-row block measured no faster); the edges go
    /// element by element.
    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, depth: Int
    ) {
        var i = 0
        while i + 4 <= rows {
            var j = 0
            while j + 32 <= columns {
                var c00 = SIMD16<Float>()
                var c01 = SIMD16<Float>()
                var c10 = SIMD16<Float>()
                var c11 = SIMD16<Float>()
                var c20 = SIMD16<Float>()
                var c21 = SIMD16<Float>()
                var c30 = SIMD16<Float>()
                var c31 = SIMD16<Float>()
                for p in 0..<depth {
                    let row = b + p * ldb + j
                    let b0 = UnsafeRawPointer(row).loadUnaligned(as: SIMD16<Float>.self)
                    let b1 = UnsafeRawPointer(row + 16).loadUnaligned(as: SIMD16<Float>.self)
                    let base = a + i * rowStride + p * depthStride
                    let a0 = SIMD16<Float>(repeating: base[0])
                    let a1 = SIMD16<Float>(repeating: base[rowStride])
                    let a2 = SIMD16<Float>(repeating: base[2 * rowStride])
                    let a3 = SIMD16<Float>(repeating: base[3 * rowStride])
                    c00.addProduct(a0, b0)
                    c01.addProduct(a0, b1)
                    c10.addProduct(a1, b0)
                    c11.addProduct(a1, b1)
                    c20.addProduct(a2, b0)
                    c21.addProduct(a2, b1)
                    c30.addProduct(a3, b0)
                    c31.addProduct(a3, b1)
                }
                store(c00, c + i * ldc + j)
                store(c01, c + i * ldc + j + 16)
                store(c10, c + (i + 1) * ldc + j)
                store(c11, c + (i + 1) * ldc + j + 16)
                store(c20, c + (i + 2) * ldc + j)
                store(c21, c + (i + 2) * ldc + j + 16)
                store(c30, c + (i + 3) * ldc + j)
                store(c31, c + (i + 3) * ldc + j + 16)
                j += 32
            }
            scalarBlock(
                a, rowStride, depthStride, b, ldb, c, ldc, rows: i..<(i + 4), columns: j..<columns, depth: depth)
            i += 4
        }
        scalarBlock(a, rowStride, depthStride, b, ldb, c, ldc, rows: i..<rows, columns: 0..<columns, depth: depth)
    }

    /// C [rows, rightRows] = A [rows, inner] x B [rightRows, inner]^T as dot products of rows:
    /// blocks of 4 x 4 rows keep 16 SIMD16 partial sums along `inner`, folded at the end.
    static func dotProducts(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, inner: Int,
        rightRows: Int
    ) {
        let vectorEnd = inner - inner % 16
        var i = 0
        while i < rows {
            let rowCount = min(4, rows - i)
            var j = 0
            while j < rightRows {
                let columnCount = min(4, rightRows - j)
                if rowCount == 4 && columnCount == 4 {
                    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 16) { sums in
                        sums.initialize(repeating: SIMD16<Float>())
                        var k = 0
                        while k < vectorEnd {
                            let a0 = load(a + i * inner + k)
                            let a1 = load(a + (i + 1) * inner + k)
                            let a2 = load(a + (i + 2) * inner + k)
                            let a3 = load(a + (i + 3) * inner + k)
                            for q in 0..<4 {
                                let bq = load(b + (j + q) * inner + k)
                                sums[q].addProduct(a0, bq)
                                sums[4 + q].addProduct(a1, bq)
                                sums[8 + q].addProduct(a2, bq)
                                sums[12 + q].addProduct(a3, bq)
                            }
                            k += 16
                        }
                        for r in 0..<4 {
                            for q in 0..<4 {
                                var total = sums[4 * r + q].sum()
                                for t in vectorEnd..<inner {
                                    total = total.addingProduct(a[(i + r) * inner + t], b[(j + q) * inner + t])
                                }
                                c[(i + r) * rightRows + j + q] = total
                            }
                        }
                    }
                } else {
                    for r in 0..<rowCount {
                        for q in 0..<columnCount {
                            var partial = SIMD16<Float>()
                            var k = 0
                            while k < vectorEnd {
                                partial.addProduct(load(a + (i + r) * inner + k), load(b + (j + q) * inner + k))
                                k += 16
                            }
                            var total = partial.sum()
                            for t in vectorEnd..<inner {
                                total = total.addingProduct(a[(i + r) * inner + t], b[(j + q) * inner + t])
                            }
                            c[(i + r) * rightRows + j + q] = total
                        }
                    }
                }
                j += 4
            }
            i += 4
        }
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
    }

    /// The edges: one element at a time, summed over the depth in the same order.
    static func scalarBlock(
        _ a: UnsafePointer<Float>, _ rowStride: Int, _ depthStride: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Range<Int>, columns: Range<Int>, depth: Int
    ) {
        for i in rows {
            for j in columns {
                var sum: Float = 0
                for p in 0..<depth { sum = sum.addingProduct(a[i * rowStride + p * depthStride], b[p * ldb + j]) }
                c[i * ldc + j] = sum
            }
        }
    }

    /// Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= rate m / (sqrt(v) + eps), with
    /// the bias correction folded into `rate` and `eps` by the caller. One pass.
    public static func adam(
        _ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        _ g: UnsafePointer<Float>, count: Int, rate: Float, beta1: Float, beta2: Float, eps: Float
    ) {
        for i in 0..<count {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            p[i] -= rate * m[i] / (v[i].squareRoot() + eps)
        }
    }
}
