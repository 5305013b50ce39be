/// Where a convolution's patches lie in an image stored channels-last (`[..., H, W, C]`):
/// a `kernel`×`kernel` window moved by `stride` over the image padded by `padding` zeros on
/// every side, at `gridHeight`×`gridWidth` positions. A patch lists its values in (row,
/// column, channel) order, so a convolution is `patches(x) · W` with W of shape
/// `[kernel·kernel·channels, filters]`, and a transposed convolution is `unpatches(x · W)`.
public struct ConvGeometry: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var gridHeight: Int
    public var gridWidth: Int

    public init(
        height: Int, width: Int, channels: Int, kernel: Int, stride: Int, padding: Int, gridHeight: Int, gridWidth: Int
    ) {
        self.height = height
        self.width = width
        self.channels = channels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
    }

    /// Values in one patch: kernel × kernel × channels.
    public var patchSize: Int { kernel * kernel * channels }
    /// Values in one image: height × width × channels.
    public var imageSize: Int { height * width * channels }
    /// Values in one image's patches: grid positions × patch size.
    public var patchesSize: Int { gridHeight * gridWidth * patchSize }

    /// The image's trailing dimensions `[H, W, C]`.
    public var imageDims: [Dim] { [.fixed(height), .fixed(width), .fixed(channels)] }
    /// The patches' trailing dimensions `[gridH, gridW, K·K·C]`.
    public var patchDims: [Dim] { [.fixed(gridHeight), .fixed(gridWidth), .fixed(patchSize)] }

    /// Whether a product can gather its patches from the image (`gatheredPatches`): 8
    /// consecutive patch values are then 8 contiguous floats of one pixel.
    public var isGatherable: Bool { channels % 8 == 0 }
    /// Whether a product can gather them as its right operand, a panel of 32 patch values at
    /// a time: 32 contiguous floats of one pixel.
    public var isGatherableByPanels: Bool { channels % 32 == 0 }

    /// `28x28x1 k4 s2 p1 -> 14x14`.
    public var description: String {
        "\(height)x\(width)x\(channels) k\(kernel) s\(stride) p\(padding) -> \(gridHeight)x\(gridWidth)"
    }

    /// The image row (or column) under kernel offset `k` at grid position `g`, which may lie
    /// in the padding (outside 0..<size).
    @inline(__always)
    public func imageCoordinate(grid g: Int, kernel k: Int) -> Int { g * stride - padding + k }
}

extension ConvGeometry {
    /// Calls `body(patchIndex, pixelIndex)` for every patch value of `images` images that lies
    /// on a pixel (not in the padding), in patch order: the reference definition of
    /// `patches` and `unpatches`, which the executor's kernels must match.
    public func forEachTap(images: Int, _ body: (Int, Int) -> Void) {
        var patch = 0
        for image in 0..<images {
            for gridRow in 0..<gridHeight {
                for gridColumn in 0..<gridWidth {
                    for kernelRow in 0..<kernel {
                        let row = imageCoordinate(grid: gridRow, kernel: kernelRow)
                        for kernelColumn in 0..<kernel {
                            let column = imageCoordinate(grid: gridColumn, kernel: kernelColumn)
                            let inside = row >= 0 && row < height && column >= 0 && column < width
                            for channel in 0..<channels {
                                if inside { body(patch, ((image * height + row) * width + column) * channels + channel) }
                                patch += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
