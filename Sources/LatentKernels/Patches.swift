import LatentIR

extension Kernels {
    /// `patches` (im2col) of `images` channels-last images: each kernel row of a patch is one
    /// copy of kernel × channels contiguous floats where it lies inside the image, zeros
    /// where it overlaps the padding. Images are split across threads.
    public static func patches(
        _ image: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, images: Int, geometry g: ConvGeometry,
        pool: WorkerPool
    ) {
        let rowRun = g.kernel * g.channels
        pool.run(tasks: images, parallel: images * g.patchesSize >= 1 << 14) { index, _ in
            let source = image + index * g.imageSize
            var target = out + index * g.patchesSize
            for gridRow in 0..<g.gridHeight {
                for gridColumn in 0..<g.gridWidth {
                    let firstColumn = g.imageCoordinate(grid: gridColumn, kernel: 0)
                    let inside = firstColumn >= 0 && firstColumn + g.kernel <= g.width
                    for kernelRow in 0..<g.kernel {
                        let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
                        if row < 0 || row >= g.height {
                            target.update(repeating: 0, count: rowRun)
                        } else if inside {
                            target.update(from: source + (row * g.width + firstColumn) * g.channels, count: rowRun)
                        } else {
                            for kernelColumn in 0..<g.kernel {
                                let column = firstColumn + kernelColumn
                                let part = target + kernelColumn * g.channels
                                if column < 0 || column >= g.width {
                                    part.update(repeating: 0, count: g.channels)
                                } else {
                                    part.update(from: source + (row * g.width + column) * g.channels, count: g.channels)
                                }
                            }
                        }
                        target += rowRun
                    }
                }
            }
        }
    }

    /// `unpatches` (col2im): every patch value of `images` images added at its pixel, in
    /// patch order, one image per task, so the sums are the same at any thread count.
    public static func unpatches(
        _ patches: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, images: Int, geometry g: ConvGeometry,
        pool: WorkerPool
    ) {
        pool.run(tasks: images, parallel: images * g.patchesSize >= 1 << 14) { index, _ in
            var source = patches + index * g.patchesSize
            let target = out + index * g.imageSize
            target.update(repeating: 0, count: g.imageSize)
            for gridRow in 0..<g.gridHeight {
                for gridColumn in 0..<g.gridWidth {
                    for kernelRow in 0..<g.kernel {
                        let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
                        for kernelColumn in 0..<g.kernel {
                            let column = g.imageCoordinate(grid: gridColumn, kernel: kernelColumn)
                            if row >= 0 && row < g.height && column >= 0 && column < g.width {
                                add(source, into: target + (row * g.width + column) * g.channels, count: g.channels)
                            }
                            source += g.channels
                        }
                    }
                }
            }
        }
    }

    /// target[i] += source[i] for i in 0..<count, 16 lanes at a time.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store(load(target + i) + load(source + i), target + i)
            i += 16
        }
        while i < count {
            target[i] += source[i]
            i += 1
        }
    }
}
