import LatentIR

/// Packing an operand of a product that is the patches of an image (implicit GEMM): each
/// block is gathered from the image as the product needs it, so the patches matrix is never
/// written or read. The image's channels come in runs of 8 (`ConvGeometry.isGatherable`),
/// so 8 consecutive patch values are 8 contiguous floats of one pixel, or zeros in the
/// padding; each pixel's place is found once for all the channels read from it.
extension Kernels {
    /// Rows `first..<first + rows` (grid positions over all images) of patches(image),
    /// patch values `from..<from + length` (a multiple of 8), packed as `pack` packs a block
    /// of a row-major A: depth x 8, zeros beyond `rows`.
    static func packPatchRows(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, first: Int, rows: Int, from: Int, length: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let positions = g.gridHeight * g.gridWidth
        withUnsafeTemporaryAllocation(of: (UnsafePointer<Float>, Int, Int).self, capacity: blockRows) { corners in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: blockRows) { pixelBuffer in
                guard let corner = corners.baseAddress, let pixels = pixelBuffer.baseAddress else { return }
                // Each row's image and the pixel under its patch's first value (maybe padding).
                for r in 0..<rows {
                    let cell = (first + r) % positions
                    corner[r] = (
                        image + (first + r) / positions * g.imageSize, g.imageCoordinate(grid: cell / g.gridWidth, kernel: 0),
                        g.imageCoordinate(grid: cell % g.gridWidth, kernel: 0)
                    )
                }
                var kernelRow = from / (g.kernel * g.channels)
                var kernelColumn = from / g.channels % g.kernel
                var channel = from % g.channels
                var p = 0
                while p < length {
                    // The rows' pixels under this kernel offset: nil in the padding or past `rows`.
                    for r in 0..<blockRows {
                        pixels[r] = nil
                        guard r < rows else { continue }
                        let row = corner[r].1 + kernelRow
                        let column = corner[r].2 + kernelColumn
                        if row >= 0, row < g.height, column >= 0, column < g.width {
                            pixels[r] = corner[r].0 + (row * g.width + column) * g.channels
                        }
                    }
                    let run = min(g.channels - channel, length - p)
                    for offset in Swift.stride(from: 0, to: run, by: blockRows) {
                        storeTransposed(
                            { r in pixels[r].map { load8($0 + channel + offset) } ?? SIMD8() },
                            into: packed + (p + offset) * blockRows)
                    }
                    p += run
                    channel = 0
                    kernelColumn += 1
                    if kernelColumn == g.kernel {
                        kernelColumn = 0
                        kernelRow += 1
                    }
                }
            }
        }
    }

    /// Patch values `value..<value + count` (a multiple of 8, all of one pixel: one kernel
    /// offset) of grid positions `from..<from + length` of patches(image), in runs of 8:
    /// value `value + v` of position `from + p` at
    /// `packed[v / 8 * runStride + p * rowStride + v % 8]`. A panel of B is 32 values, rows
    /// 32 apart and runs 8 apart; blocks of a transposed A are rows 8 apart and runs (the
    /// blocks) `length * 8` apart.
    static func packPatchColumns(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, value: Int, count: Int, from: Int, length: Int,
        into packed: UnsafeMutablePointer<Float>, rowStride: Int, runStride: Int
    ) {
        let kernelRow = value / (g.kernel * g.channels)
        let kernelColumn = value / g.channels % g.kernel
        let channel = value % g.channels
        let positions = g.gridHeight * g.gridWidth
        var index = from / positions
        var gridRow = from % positions / g.gridWidth
        var gridColumn = from % g.gridWidth
        for p in 0..<length {
            let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
            let column = g.imageCoordinate(grid: gridColumn, kernel: kernelColumn)
            let target = packed + p * rowStride
            if row >= 0, row < g.height, column >= 0, column < g.width {
                let source = image + index * g.imageSize + (row * g.width + column) * g.channels + channel
                for run in 0..<count / blockRows {
                    store8(load8(source + run * blockRows), target + run * runStride)
                }
            } else {
                for run in 0..<count / blockRows { store8(SIMD8(), target + run * runStride) }
            }
            gridColumn += 1
            if gridColumn == g.gridWidth {
                gridColumn = 0
                gridRow += 1
                if gridRow == g.gridHeight {
                    gridRow = 0
                    index += 1
                }
            }
        }
    }
}
