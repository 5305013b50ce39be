import Foundation
import LatentIR
import LatentKernels

/// Matrix-product speed on the shapes an MLP of 784-512-512 layers trains with at batch
/// 100 (forward, dX = dY W^T, dW = X^T dY), on those of the convolutional VAE's and
/// DCGAN's second convolutions (4900 = 100 images x 7 x 7 positions; depth 512 = 4 x 4 x 32
/// patch values; DCGAN's 128 x 1024 weights forward and backward), on their first layers'
/// thin ones (19600 = 100 x 14 x 14 positions of 16 = 4 x 4 x 1 patch values into 32 or 64
/// maps, and the last transposed convolutions' 32 or 64 maps into 16 patch values) and on a
/// large square, in GFLOP/s.
enum GemmBench {
    /// One product: C [m, n] = A x B with depth k, and which operand is stored transposed.
    struct Shape {
        var m: Int
        var k: Int
        var n: Int
        var form: String  // "nn", "nt" (B stored [n, k]) or "tn" (A stored [k, m])

        var name: String { "\(m)x\(k)x\(n) \(form)" }
    }

    static let shapes = [
        Shape(m: 100, k: 784, n: 512, form: "nn"), Shape(m: 100, k: 512, n: 512, form: "nn"),
        Shape(m: 100, k: 512, n: 784, form: "nn"), Shape(m: 100, k: 784, n: 512, form: "nt"),
        Shape(m: 100, k: 512, n: 512, form: "nt"), Shape(m: 784, k: 100, n: 512, form: "tn"),
        Shape(m: 512, k: 100, n: 784, form: "tn"), Shape(m: 4900, k: 512, n: 64, form: "nn"),
        Shape(m: 4900, k: 64, n: 512, form: "nt"), Shape(m: 512, k: 4900, n: 64, form: "tn"),
        Shape(m: 4900, k: 64, n: 512, form: "nn"), Shape(m: 4900, k: 1024, n: 128, form: "nn"),
        Shape(m: 4900, k: 128, n: 1024, form: "nn"), Shape(m: 4900, k: 128, n: 1024, form: "nt"),
        Shape(m: 1024, k: 4900, n: 128, form: "tn"), Shape(m: 128, k: 4900, n: 1024, form: "tn"),
        Shape(m: 4900, k: 1024, n: 128, form: "nt"), Shape(m: 19600, k: 16, n: 32, form: "nn"),
        Shape(m: 19600, k: 16, n: 32, form: "nt"), Shape(m: 16, k: 19600, n: 32, form: "tn"),
        Shape(m: 19600, k: 32, n: 16, form: "nn"), Shape(m: 32, k: 19600, n: 16, form: "tn"),
        Shape(m: 19600, k: 64, n: 16, form: "nn"), Shape(m: 64, k: 19600, n: 16, form: "tn"),
        Shape(m: 2048, k: 2048, n: 2048, form: "nn"),
    ]

    /// GFLOP/s of each shape, timed for about `seconds` each after one untimed product; the
    /// operands start on cache lines, as the executor's do.
    static func run(threads: Int, seconds: Double = 0.3) -> [(Shape, Double)] {
        let pool = WorkerPool.with(threads: threads)
        func operand(_ count: Int, _ value: (Int) -> Float) -> UnsafeMutablePointer<Float> {
            let buffer = Kernels.alignedZeros(count)
            for i in 0..<count { buffer[i] = value(i) }
            return buffer
        }
        return shapes.map { shape in
            let a = operand(shape.m * shape.k) { Float($0 % 7) * 0.1 }
            let b = operand(shape.k * shape.n) { Float($0 % 5) * 0.1 }
            let c = Kernels.alignedZeros(shape.m * shape.n)
            defer { for buffer in [a, b, c] { buffer.deallocate() } }
            func product() {
                switch shape.form {
                case "nt":
                    Kernels.gemm(
                        a, b, c, rows: shape.m, inner: shape.k, rightRows: shape.n, rightColumns: shape.k,
                        transposeA: false, transposeB: true, pool: pool)
                case "tn":
                    Kernels.gemm(
                        a, b, c, rows: shape.k, inner: shape.m, rightRows: shape.k, rightColumns: shape.n,
                        transposeA: true, transposeB: false, pool: pool)
                default:
                    Kernels.gemm(
                        a, b, c, rows: shape.m, inner: shape.k, rightRows: shape.k, rightColumns: shape.n,
                        transposeA: false, transposeB: false, pool: pool)
                }
            }
            return (shape, 2 * Double(shape.m * shape.n * shape.k) * runsPerSecond(seconds, product) / 1e9)
        }
    }

    /// A convolution layer of a conv spec: images of `geometry` into `filters` maps.
    struct Convolution {
        var name: String
        var images: Int
        var geometry: ConvGeometry
        var filters: Int
    }

    static let convolutions = [
        Convolution(
            name: "dcgan D conv2", images: 100,
            geometry: ConvGeometry(
                height: 14, width: 14, channels: 64, kernel: 4, stride: 2, padding: 1, gridHeight: 7, gridWidth: 7),
            filters: 128),
        Convolution(
            name: "vae-conv enc conv2", images: 100,
            geometry: ConvGeometry(
                height: 14, width: 14, channels: 32, kernel: 4, stride: 2, padding: 1, gridHeight: 7, gridWidth: 7),
            filters: 64),
    ]

    /// GFLOP/s of each convolution's forward pass done as `patches` then the product
    /// (im2col), and as the implicit GEMM the executor runs (`gathered_patches`: each block
    /// of patch rows gathered from the image as the product packs it); and whether both gave
    /// the same floats.
    static func runConvolutions(threads: Int, seconds: Double = 0.3) -> [(Convolution, Double, Double, Bool)] {
        let pool = WorkerPool.with(threads: threads)
        return convolutions.map { layer in
            let g = layer.geometry
            let rows = layer.images * g.gridHeight * g.gridWidth
            let image = (0..<(layer.images * g.imageSize)).map { Float($0 % 7) * 0.1 }
            let weights = (0..<(g.patchSize * layer.filters)).map { Float($0 % 5) * 0.1 }
            var patches = [Float](repeating: 0, count: rows * g.patchSize)
            var im2col = [Float](repeating: 0, count: rows * layer.filters)
            var implicit = im2col
            func twoStep() {
                Kernels.patches(image, &patches, images: layer.images, geometry: g, pool: pool)
                Kernels.gemm(
                    patches, weights, &im2col, rows: rows, inner: g.patchSize, rightRows: g.patchSize,
                    rightColumns: layer.filters, transposeA: false, transposeB: false, pool: pool)
            }
            func oneStep() {
                Kernels.gemm(
                    image, weights, &implicit, rows: rows, inner: g.patchSize, rightRows: g.patchSize,
                    rightColumns: layer.filters, transposeA: false, transposeB: false, aPatches: g, pool: pool)
            }
            let flops = 2 * Double(rows * g.patchSize * layer.filters)
            return (
                layer, flops * runsPerSecond(seconds, twoStep) / 1e9, flops * runsPerSecond(seconds, oneStep) / 1e9,
                im2col == implicit
            )
        }
    }

    /// Runs of `body` per second over about `seconds`, after one untimed run.
    static func runsPerSecond(_ seconds: Double, _ body: () -> Void) -> Double {
        body()
        var count = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            body()
            count += 1
        }
        return Double(count) / Date().timeIntervalSince(start)
    }
}
