import LatentKernels
import XCTest

/// The GEMM against a double-precision reference on odd shapes, in all three forms.
final class GemmTests: XCTestCase {
    func check(rows m: Int, inner k: Int, columns n: Int, file: StaticString = #filePath, line: UInt = #line) {
        var state: UInt64 = UInt64(m * 1_000_003 + k * 1009 + n)
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
        let a = (0..<(m * k)).map { _ in next() }
        let b = (0..<(k * n)).map { _ in next() }
        var reference = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k { for j in 0..<n { reference[i * n + j] += Double(a[i * k + p]) * Double(b[p * n + j]) } }
        }
        let bTransposed = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }  // [n, k]
        let aTransposed = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }  // [k, m]
        var c = [Float](repeating: .nan, count: m * n)
        func compare(_ form: String) {
            let worst = zip(c, reference).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4 * Double(k), "\(form) \(m)x\(k)x\(n)", file: file, line: line)
        }
        Kernels.gemm(
            a, b, &c, rows: m, inner: k, rightRows: k, rightColumns: n, transposeA: false, transposeB: false)
        compare("A B")
        Kernels.gemm(
            a, bTransposed, &c, rows: m, inner: k, rightRows: n, rightColumns: k, transposeA: false, transposeB: true)
        compare("A B^T")
        Kernels.gemm(
            aTransposed, b, &c, rows: k, inner: m, rightRows: k, rightColumns: n, transposeA: true, transposeB: false)
        compare("A^T B")
    }

    func testOddShapes() {
        let sizes = [1, 7, 33, 100]
        for m in sizes { for k in sizes { for n in sizes { check(rows: m, inner: k, columns: n) } } }
        check(rows: 100, inner: 785, columns: 33)
        check(rows: 7, inner: 33, columns: 785)
    }
}
