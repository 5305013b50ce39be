import LatentIR
import LatentKernels
import LatentTestSupport
import XCTest

/// The executor's im2col and col2im kernels against the reference interpreter's definition,
/// for odd geometries at one and two threads; and the two are each other's adjoints.
final class PatchesTests: XCTestCase {
    /// The odd cases, many channels, and the convolutional VAE's shapes.
    static let geometries =
        ConvGeometry.oddCases + [
            ConvGeometry(height: 6, width: 5, channels: 17, kernel: 2, stride: 3, padding: 0, gridHeight: 2, gridWidth: 2),
            ConvGeometry(height: 28, width: 28, channels: 1, kernel: 4, stride: 2, padding: 1, gridHeight: 14, gridWidth: 14),
            ConvGeometry(height: 14, width: 14, channels: 32, kernel: 4, stride: 2, padding: 1, gridHeight: 7, gridWidth: 7),
            ConvGeometry(height: 9, width: 9, channels: 2, kernel: 5, stride: 1, padding: 4, gridHeight: 13, gridWidth: 13),
        ]

    func reference(_ op: Op, _ input: Tensor, type: Shape) -> Tensor {
        let tape = [Instruction(.input(InputName.data), Shape([.batch])), Instruction(op, type)]
        let interpreter = ReferenceInterpreter(parameters: [], data: Tensor(shape: [1]))
        return interpreter.evaluate(tape[1], index: 1) { _ in input }
    }

    func testKernelsMatchTheReferenceAtAnyThreadCount() {
        var random = TestRandom(5)
        let count = 3
        for g in Self.geometries {
            let image = random.tensor([count, g.height, g.width, g.channels])
            let patches = random.tensor([count, g.gridHeight, g.gridWidth, g.patchSize])
            let imageType = Shape([.fixed(count)] + g.imageDims)
            let patchType = Shape([.fixed(count)] + g.patchDims)
            let expectedPatches = reference(.patches(ValueID(0), g), image, type: patchType)
            let expectedImage = reference(.unpatches(ValueID(0), g), patches, type: imageType)
            var images: [[Float]] = []
            for threads in [1, 2] {
                let pool = WorkerPool.with(threads: threads)
                let floatImage = image.values.map(Float.init)
                let floatPatches = patches.values.map(Float.init)
                var outPatches = [Float](repeating: .nan, count: patches.count)
                var outImage = [Float](repeating: .nan, count: image.count)
                floatImage.withUnsafeBufferPointer { source in
                    outPatches.withUnsafeMutableBufferPointer { out in
                        Kernels.patches(
                            source.baseAddress!, out.baseAddress!, images: count, geometry: g, pool: pool)
                    }
                }
                floatPatches.withUnsafeBufferPointer { source in
                    outImage.withUnsafeMutableBufferPointer { out in
                        Kernels.unpatches(
                            source.baseAddress!, out.baseAddress!, images: count, geometry: g, pool: pool)
                    }
                }
                images.append(outImage)
                XCTAssertEqual(outPatches, expectedPatches.values.map(Float.init), "patches \(g), \(threads) threads")
                for (got, want) in zip(outImage, expectedImage.values) {
                    XCTAssertEqual(Double(got), want, accuracy: 1e-5, "unpatches \(g), \(threads) threads")
                }
            }
            XCTAssertEqual(images[0], images[1], "unpatches \(g) is bit-identical at 1 and 2 threads")
        }
    }

    /// <patches(x), y> = <x, unpatches(y)>: the adjoint that autodiff relies on.
    func testUnpatchesIsTheAdjointOfPatches() {
        var random = TestRandom(9)
        for g in Self.geometries {
            let x = random.tensor([2, g.height, g.width, g.channels])
            let y = random.tensor([2, g.gridHeight, g.gridWidth, g.patchSize])
            let px = reference(.patches(ValueID(0), g), x, type: Shape([.fixed(2)] + g.patchDims))
            let uy = reference(.unpatches(ValueID(0), g), y, type: Shape([.fixed(2)] + g.imageDims))
            let left = zip(px.values, y.values).reduce(0) { $0 + $1.0 * $1.1 }
            let right = zip(x.values, uy.values).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(left, right, accuracy: 1e-9 * max(1, abs(left)), "\(g)")
        }
    }
}
