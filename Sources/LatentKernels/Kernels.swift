/// Dense float32 kernels. This target is compiled with -Ounchecked in every configuration,
/// so debug builds and tests run them near full speed.
public enum Kernels {
    /// C = A x B over row-major matrices, with the transposes backprop needs:
    /// - neither: A [rows, inner] x B [inner, rightColumns] -> C [rows, rightColumns]
    /// - transposeB: A [rows, inner] x B[rightRows, inner]^T -> C [rows, rightRows]
    /// - transposeA: A [rows, inner]^T x B [rows, rightColumns] -> C [inner, rightColumns]
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, rows: Int, inner: Int,
        rightRows: Int, rightColumns: Int, transposeA: Bool, transposeB: Bool
    ) {
        if transposeA {
            c.update(repeating: 0, count: inner * rightColumns)
            for r in 0..<rows {
                for i in 0..<inner {
                    let scale = a[r * inner + i]
                    if scale == 0 { continue }
                    let target = c + i * rightColumns
                    let source = b + r * rightColumns
                    for j in 0..<rightColumns { target[j] += scale * source[j] }
                }
            }
        } else if transposeB {
            for r in 0..<rows {
                let left = a + r * inner
                for i in 0..<rightRows {
                    let right = b + i * inner
                    var sum: Float = 0
                    for k in 0..<inner { sum += left[k] * right[k] }
                    c[r * rightRows + i] = sum
                }
            }
        } else {
            c.update(repeating: 0, count: rows * rightColumns)
            for r in 0..<rows {
                let target = c + r * rightColumns
                for k in 0..<inner {
                    let scale = a[r * inner + k]
                    if scale == 0 { continue }
                    let source = b + k * rightColumns
                    for j in 0..<rightColumns { target[j] += scale * source[j] }
                }
            }
        }
    }
}
