import LatentIR
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
        // Tall products go by strips of rows, in depth chunks (partial blocks and panels too).
        check(rows: 300, inner: 700, columns: 70)
    }

    /// Bias, leaky ReLU and an addend in the epilogue of tall products (summed by strips in
    /// depth chunks, the bias and slope applied after the last chunk) in all three forms:
    /// against a double-precision reference, and bit-identical at 1, 2 and 3 threads.
    func testEpilogueOfTallProductsAtAnyThreadCount() {
        // The second reads a row-major B in place (more than 2^18 floats), a partial panel
        // packed; the fifth has too few rows to share, so its panels are split between threads.
        // Small products over a long depth are summed in parts of the depth (the last two as
        // their transposes, being narrower than a panel); a tall one of little depth reads A in place.
        let shapes = [
            (300, 700, 70), (300, 700, 400), (300, 100, 1000), (517, 40, 64), (40, 700, 400), (13, 5000, 7),
            (64, 4096, 64), (40, 4500, 16), (33, 4100, 31), (2000, 24, 16),
        ]
        for (m, k, n) in shapes {
            var state: UInt64 = UInt64(m * k + n)
            func next() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int(state >> 40) % 2001 - 1000) / 1000
            }
            let a = (0..<(m * k)).map { _ in next() }
            let b = (0..<(k * n)).map { _ in next() }
            let bias = (0..<n).map { _ in next() }
            let addend = (0..<(m * n)).map { _ in next() }
            let slope: Float = 0.2
            var reference = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for p in 0..<k { for j in 0..<n { reference[i * n + j] += Double(a[i * k + p]) * Double(b[p * n + j]) } }
                for j in 0..<n {
                    let v = reference[i * n + j] + Double(bias[j])
                    reference[i * n + j] = (v < 0 ? Double(slope) * v : v) + Double(addend[i * n + j])
                }
            }
            let bTransposed = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }
            let aTransposed = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }
            for form in ["nn", "nt", "tn"] {
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    var c = [Float](repeating: .nan, count: m * n)
                    bias.withUnsafeBufferPointer { bias in
                        addend.withUnsafeBufferPointer { addend in
                            let epilogue = Epilogue(bias: bias.baseAddress, negativeSlope: slope, addend: addend.baseAddress)
                            let pool = WorkerPool.with(threads: threads)
                            switch form {
                            case "nt":
                                Kernels.gemm(
                                    a, bTransposed, &c, rows: m, inner: k, rightRows: n, rightColumns: k, transposeA: false,
                                    transposeB: true, epilogue: epilogue, pool: pool)
                            case "tn":
                                Kernels.gemm(
                                    aTransposed, b, &c, rows: k, inner: m, rightRows: k, rightColumns: n, transposeA: true,
                                    transposeB: false, epilogue: epilogue, pool: pool)
                            default:
                                Kernels.gemm(
                                    a, b, &c, rows: m, inner: k, rightRows: k, rightColumns: n, transposeA: false,
                                    transposeB: false, epilogue: epilogue, pool: pool)
                            }
                        }
                    }
                    results.append(c)
                }
                let worst = zip(results[0], reference).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-4 * Double(k), "\(form) \(m)x\(k)x\(n)")
                XCTAssertEqual(results[0], results[1], "\(form) \(m)x\(k)x\(n): 1 and 2 threads")
                XCTAssertEqual(results[0], results[2], "\(form) \(m)x\(k)x\(n): 1 and 3 threads")
            }
        }
    }

    /// An optimizer step in the product's epilogue gives exactly the parameters and moments
    /// that storing the gradient (plus its other part) and updating in a separate pass gives,
    /// and reports a non-finite gradient.
    func testUpdateInTheEpilogueMatchesAStoredGradient() {
        // Depths past one chunk of 256 (a convolution's weight gradient) are summed in chunks;
        // a thin layer's over 19,600 positions in parts of the depth, narrower than a panel as its transpose.
        for (m, k, n) in [(33, 100, 70), (784, 100, 512), (7, 3, 1), (40, 700, 70), (40, 700, 400), (32, 19600, 16), (16, 4200, 33)] {
            var state: UInt64 = 42
            func next() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int(state >> 40) % 2001 - 1000) / 1000
            }
            let a = (0..<(k * m)).map { _ in next() }  // [k, m], used transposed
            let b = (0..<(k * n)).map { _ in next() }
            let addend = (0..<(m * n)).map { _ in next() }
            let start = (0..<(m * n)).map { _ in next() }
            let pool = WorkerPool.with(threads: 2)
            let rule = OptimizerUpdate.adam(rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8)
            for withAddend in [false, true] {
                var gradient = [Float](repeating: 0, count: m * n)
                Kernels.gemm(a, b, &gradient, rows: k, inner: m, rightRows: k, rightColumns: n, transposeA: true, transposeB: false, pool: pool)
                if withAddend { for i in gradient.indices { gradient[i] += addend[i] } }
                var (p1, m1, v1) = (start, [Float](repeating: 0.1, count: m * n), [Float](repeating: 0.2, count: m * n))
                XCTAssertTrue(Kernels.update(rule, &p1, &m1, &v1, gradient, count: m * n, pool: pool))
                var (p2, m2, v2) = (start, [Float](repeating: 0.1, count: m * n), [Float](repeating: 0.2, count: m * n))
                var unused: Float = 0
                let finite = p2.withUnsafeMutableBufferPointer { p in
                    m2.withUnsafeMutableBufferPointer { first in
                        v2.withUnsafeMutableBufferPointer { second in
                            addend.withUnsafeBufferPointer { extra in
                                Kernels.gemm(
                                    a, b, &unused, rows: k, inner: m, rightRows: k, rightColumns: n, transposeA: true,
                                    transposeB: false,
                                    epilogue: Epilogue(
                                        addend: withAddend ? extra.baseAddress : nil,
                                        update: FusedUpdate(
                                            rule: rule, parameter: p.baseAddress!, first: first.baseAddress!,
                                            second: second.baseAddress!)), pool: pool)
                            }
                        }
                    }
                }
                XCTAssertTrue(finite)
                XCTAssertEqual(p1, p2, "\(m)x\(k)x\(n) parameters, addend \(withAddend)")
                XCTAssertEqual(m1, m2, "\(m)x\(k)x\(n) first moments")
                XCTAssertEqual(v1, v2, "\(m)x\(k)x\(n) second moments")
            }
            var poisoned = b
            poisoned[0] = .nan
            var (p, first, second) = (start, [Float](repeating: 0, count: m * n), [Float](repeating: 0, count: m * n))
            var unused: Float = 0
            let finite = p.withUnsafeMutableBufferPointer { p in
                first.withUnsafeMutableBufferPointer { f in
                    second.withUnsafeMutableBufferPointer { s in
                        Kernels.gemm(
                            a, poisoned, &unused, rows: k, inner: m, rightRows: k, rightColumns: n, transposeA: true,
                            transposeB: false,
                            epilogue: Epilogue(
                                update: FusedUpdate(
                                    rule: rule, parameter: p.baseAddress!, first: f.baseAddress!, second: s.baseAddress!)),
                            pool: pool)
                    }
                }
            }
            XCTAssertFalse(finite, "a NaN gradient must be reported")
        }
    }

    /// Products whose left operand is the patches of an image, gathered block by block from
    /// the image (a convolution x W, its transposed-weight form, and the weight gradient
    /// patches^T dY with bias, slope and addend), and whose right one is (a transposed
    /// convolution's weight gradient dY^T patches, where the channels come in runs of 32),
    /// against the same products of the stored patches in double precision; bit-identical
    /// at 1, 2 and 3 threads.
    func testProductsGatherPatchesFromTheImage() {
        let geometries = [
            ConvGeometry(height: 5, width: 6, channels: 8, kernel: 3, stride: 2, padding: 1, gridHeight: 3, gridWidth: 3),
            ConvGeometry(height: 7, width: 7, channels: 16, kernel: 2, stride: 1, padding: 0, gridHeight: 6, gridWidth: 6),
            ConvGeometry(height: 14, width: 14, channels: 64, kernel: 4, stride: 2, padding: 1, gridHeight: 7, gridWidth: 7),
            ConvGeometry(height: 4, width: 9, channels: 24, kernel: 5, stride: 3, padding: 2, gridHeight: 2, gridWidth: 3),
            ConvGeometry(height: 5, width: 7, channels: 32, kernel: 3, stride: 2, padding: 1, gridHeight: 3, gridWidth: 4),
        ]
        var state: UInt64 = 7
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
        for g in geometries {
            let images = 9
            let (rows, depth, filters) = (images * g.gridHeight * g.gridWidth, g.patchSize, 37)
            let image = (0..<(images * g.imageSize)).map { _ in next() }
            var patches = [Float](repeating: 0, count: rows * depth)
            Kernels.patches(image, &patches, images: images, geometry: g, pool: .with(threads: 1))
            let weights = (0..<(depth * filters)).map { _ in next() }
            let weightsTransposed = (0..<(filters * depth)).map { weights[($0 % depth) * filters + $0 / depth] }
            let upstream = (0..<(rows * filters)).map { _ in next() }
            let bias = (0..<filters).map { _ in next() }
            let addend = (0..<(depth * filters)).map { _ in next() }
            var forward = [Double](repeating: 0, count: rows * filters)
            var gradient = [Double](repeating: 0, count: depth * filters)
            var rightGradient = [Double](repeating: 0, count: filters * depth)
            let biasOfPatches = (0..<depth).map { _ in next() }
            for i in 0..<rows {
                for p in 0..<depth {
                    for j in 0..<filters {
                        forward[i * filters + j] += Double(patches[i * depth + p]) * Double(weights[p * filters + j])
                        gradient[p * filters + j] += Double(patches[i * depth + p]) * Double(upstream[i * filters + j])
                        rightGradient[j * depth + p] += Double(upstream[i * filters + j]) * Double(patches[i * depth + p])
                    }
                }
            }
            for p in 0..<depth {
                for j in 0..<filters {
                    let v = gradient[p * filters + j] + Double(bias[j])
                    gradient[p * filters + j] = (v < 0 ? 0.2 * v : v) + Double(addend[p * filters + j])
                    let w = rightGradient[j * depth + p] + Double(biasOfPatches[p])
                    rightGradient[j * depth + p] = (w < 0 ? 0.2 * w : w) + Double(addend[j * depth + p])
                }
            }
            for form in ["nn", "nt", "tn"] + (g.isGatherableByPanels ? ["tn right"] : []) {
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    let pool = WorkerPool.with(threads: threads)
                    var c = [Float](repeating: .nan, count: form.hasPrefix("tn") ? depth * filters : rows * filters)
                    bias.withUnsafeBufferPointer { bias in
                        addend.withUnsafeBufferPointer { addend in
                            switch form {
                            case "nt":
                                Kernels.gemm(
                                    image, weightsTransposed, &c, rows: rows, inner: depth, rightRows: filters,
                                    rightColumns: depth, transposeA: false, transposeB: true, aPatches: g, pool: pool)
                            case "tn right":
                                biasOfPatches.withUnsafeBufferPointer { biasOfPatches in
                                    _ = Kernels.gemm(
                                        upstream, image, &c, rows: rows, inner: filters, rightRows: rows,
                                        rightColumns: depth, transposeA: true, transposeB: false,
                                        epilogue: Epilogue(
                                            bias: biasOfPatches.baseAddress, negativeSlope: 0.2, addend: addend.baseAddress),
                                        bPatches: g, pool: pool)
                                }
                            case "tn":
                                Kernels.gemm(
                                    image, upstream, &c, rows: rows, inner: depth, rightRows: rows, rightColumns: filters,
                                    transposeA: true, transposeB: false,
                                    epilogue: Epilogue(bias: bias.baseAddress, negativeSlope: 0.2, addend: addend.baseAddress),
                                    aPatches: g, pool: pool)
                            default:
                                Kernels.gemm(
                                    image, weights, &c, rows: rows, inner: depth, rightRows: depth, rightColumns: filters,
                                    transposeA: false, transposeB: false, aPatches: g, pool: pool)
                            }
                        }
                    }
                    results.append(c)
                }
                let expected = form == "tn" ? gradient : form == "tn right" ? rightGradient : forward
                let worst = zip(results[0], expected).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-4 * Double(form.hasPrefix("tn") ? rows : depth), "\(form) \(g)")
                XCTAssertEqual(results[0], results[1], "\(form) \(g): 1 and 2 threads")
                XCTAssertEqual(results[0], results[2], "\(form) \(g): 1 and 3 threads")
            }
        }
    }

    /// Buffers the kernels read start on a cache line, so no 16-lane load straddles two.
    func testKernelBuffersStartOnACacheLine() {
        for count in [0, 1, 17, 1000, 1 << 20] {
            let buffer = Kernels.alignedZeros(count)
            defer { buffer.deallocate() }
            XCTAssertEqual(UInt(bitPattern: buffer) % UInt(Kernels.bufferAlignment), 0, "\(count) floats")
            XCTAssertTrue(UnsafeBufferPointer(start: buffer, count: max(count, 1)).allSatisfy { $0 == 0 })
        }
        let pool = WorkerPool.with(threads: 2)
        for count in [3, 100_000] {
            XCTAssertEqual(UInt(bitPattern: pool.scratch(1, count: count)) % 64, 0)
            XCTAssertEqual(UInt(bitPattern: pool.sharedScratch(count: count)) % 64, 0)
        }
    }
}
