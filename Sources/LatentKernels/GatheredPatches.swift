import LatentIR

/// Packing the left operand of a product that is the patches of an image (implicit GEMM):
/// each block is gathered from the image as the product needs it, so the patches matrix is
/// never written or read. The image's channels come in runs of 8
/// (`ConvGeometry.isGatherable`), so 8 consecutive patch values are 8 contiguous floats of
/// one pixel, or zeros in the padding.
extension Kernels {
    /// One pixel's 8 channels from `c`, or zeros when (row, column) lies in the padding.
    @inline(__always)
    static func pixel8(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, row: Int, column: Int, channel: Int
    ) -> SIMD8<Float> {
        guard row >= 0, row < g.height, column >= 0, column < g.width else { return SIMD8() }
        return UnsafeRawPointer(image + (row * g.width + column) * g.channels + channel).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Rows `first..<first + rows` (grid positions over all images) of patches(image),
    /// patch values `from..<from + length` (a multiple of 8), packed as `pack` packs a block
    /// of a row-major A: depth x 8, zeros beyond `rows`.
    static func packPatchRows(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, first: Int, rows: Int, from: Int, length: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let positions = g.gridHeight * g.gridWidth
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 16) { registers in
            withUnsafeTemporaryAllocation(of: (UnsafePointer<Float>, Int, Int).self, capacity: blockRows) { corners in
                guard let x = registers.baseAddress, let corner = corners.baseAddress else { return }
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
                for p in Swift.stride(from: 0, to: length, by: blockRows) {
                    for r in 0..<blockRows {
                        x[r] =
                            r < rows
                            ? pixel8(
                                corner[r].0, g, row: corner[r].1 + kernelRow, column: corner[r].2 + kernelColumn,
                                channel: channel)
                            : SIMD8()
                    }
                    transpose(x)
                    for q in 0..<blockRows {
                        UnsafeMutableRawPointer(packed + (p + q) * blockRows).storeBytes(of: x[q], as: SIMD8<Float>.self)
                    }
                    channel += blockRows
                    if channel == g.channels {
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
    }

    /// Patch values `value..<value + count` (`count` 8 or 32, `value` a multiple of it, all of
    /// one kernel offset) of grid positions `from..<from + length` of patches(image), packed
    /// depth (positions) x count: a block of a transposed A, or a panel of B.
    static func packPatchColumns(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, value: Int, count: Int, from: Int, length: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let kernelRow = value / (g.kernel * g.channels)
        let kernelColumn = value / g.channels % g.kernel
        let channel = value % g.channels
        let positions = g.gridHeight * g.gridWidth
        var index = from / positions
        var gridRow = from % positions / g.gridWidth
        var gridColumn = from % g.gridWidth
        for p in 0..<length {
            let source = image + index * g.imageSize
            let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
            let column = g.imageCoordinate(grid: gridColumn, kernel: kernelColumn)
            for run in Swift.stride(from: 0, to: count, by: blockRows) {
                let values = pixel8(source, g, row: row, column: column, channel: channel + run)
                UnsafeMutableRawPointer(packed + p * count + run).storeBytes(of: values, as: SIMD8<Float>.self)
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
