import LatentIR

extension Kernels {
    /// `patches` (im2col) of `images` channels-last images: each kernel row of a patch is one
    /// copy of kernel × channels contiguous floats where it lies inside the image, zeros
    /// where it overlaps the padding. Images are split across threads.
    public static func patches(
        _ image: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, images: Int, geometry g: ConvGeometry,
        pool: WorkerPool
    ) {
        pool.run(tasks: images, parallel: images * g.patchesSize >= 1 << 14) { index, _ in
            let source = image + index * g.imageSize
            var target = out + index * g.patchesSize
            for gridRow in 0..<g.gridHeight {
                for gridColumn in 0..<g.gridWidth {
                    patch(of: source, gridRow: gridRow, gridColumn: gridColumn, geometry: g, into: target)
                    target += g.patchSize
                }
            }
        }
    }

    /// One patch (kernel x kernel x channels values) of one image: each kernel row one copy
    /// of kernel × channels contiguous floats where it lies inside the image, zeros where it
    /// overlaps the padding.
    @inline(__always)
    static func patch(
        of source: UnsafePointer<Float>, gridRow: Int, gridColumn: Int, geometry g: ConvGeometry,
        into target: UnsafeMutablePointer<Float>
    ) {
        let rowRun = g.kernel * g.channels
        let firstColumn = g.imageCoordinate(grid: gridColumn, kernel: 0)
        let inside = firstColumn >= 0 && firstColumn + g.kernel <= g.width
        var target = target
        for kernelRow in 0..<g.kernel {
            let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
            if row < 0 || row >= g.height {
                zero(target, count: rowRun)
            } else if inside {
                copy(source + (row * g.width + firstColumn) * g.channels, into: target, count: rowRun)
            } else {
                for kernelColumn in 0..<g.kernel {
                    let column = firstColumn + kernelColumn
                    let part = target + kernelColumn * g.channels
                    if column < 0 || column >= g.width {
                        zero(part, count: g.channels)
                    } else {
                        copy(source + (row * g.width + column) * g.channels, into: part, count: g.channels)
                    }
                }
            }
            target += rowRun
        }
    }

    /// `unpatches` (col2im): every patch value of `images` images added at its pixel, in
    /// patch order, one image per task, so the sums are the same at any thread count. A
    /// kernel row inside the image is one run of kernel × channels contiguous floats.
    public static func unpatches(
        _ patches: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, images: Int, geometry g: ConvGeometry,
        pool: WorkerPool
    ) {
        pool.run(tasks: images, parallel: images * g.patchesSize >= 1 << 14) { index, _ in
            var source = patches + index * g.patchesSize
            let target = out + index * g.imageSize
            target.update(repeating: 0, count: g.imageSize)
            let rowRun = g.kernel * g.channels
            for gridRow in 0..<g.gridHeight {
                for gridColumn in 0..<g.gridWidth {
                    let firstColumn = g.imageCoordinate(grid: gridColumn, kernel: 0)
                    let inside = firstColumn >= 0 && firstColumn + g.kernel <= g.width
                    for kernelRow in 0..<g.kernel {
                        let row = g.imageCoordinate(grid: gridRow, kernel: kernelRow)
                        if row >= 0 && row < g.height && inside {
                            add(source, into: target + (row * g.width + firstColumn) * g.channels, count: rowRun)
                        } else if row >= 0 && row < g.height {
                            for kernelColumn in 0..<g.kernel {
                                let column = firstColumn + kernelColumn
                                if column >= 0 && column < g.width {
                                    add(
                                        source + kernelColumn * g.channels, into: target + (row * g.width + column) * g.channels,
                                        count: g.channels)
                                }
                            }
                        }
                        source += rowRun
                    }
                }
            }
        }
    }

    /// target[i] = source[i] for i in 0..<count, 16 lanes at a time, then 4: the short runs
    /// of a thin image's patches (4 floats) cost a call to memmove each otherwise.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store(load(source + i), target + i)
            i += 16
        }
        while i + 4 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(
                of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            target[i] = source[i]
            i += 1
        }
    }

    /// target[i] = 0 for i in 0..<count, 16 lanes at a time.
    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store(SIMD16(), target + i)
            i += 16
        }
        while i < count {
            target[i] = 0
            i += 1
        }
    }

    /// target[i] += source[i] for i in 0..<count, 16 lanes at a time, then 4.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store(load(target + i) + load(source + i), target + i)
            i += 16
        }
        while i + 4 <= count {
            let sum =
                UnsafeRawPointer(target + i).loadUnaligned(as: SIMD4<Float>.self)
                + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            target[i] += source[i]
            i += 1
        }
    }
}
