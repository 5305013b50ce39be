import LatentIR

extension ConvGeometry {
    /// Small geometries with odd sizes, channel counts, strides and paddings: patches that
    /// overlap, that are disjoint, that leave pixels untouched, and a last step dropped because
    /// it would reach only into the padding (6 + 2 − 3 = 5 is not a multiple of 2).
    public static let oddCases = [
        ConvGeometry(height: 5, width: 7, channels: 3, kernel: 3, stride: 2, padding: 1, gridHeight: 3, gridWidth: 4),
        ConvGeometry(height: 6, width: 6, channels: 2, kernel: 3, stride: 2, padding: 1, gridHeight: 3, gridWidth: 3),
        ConvGeometry(height: 6, width: 5, channels: 2, kernel: 2, stride: 3, padding: 0, gridHeight: 2, gridWidth: 2),
        ConvGeometry(height: 4, width: 4, channels: 1, kernel: 4, stride: 2, padding: 1, gridHeight: 2, gridWidth: 2),
        ConvGeometry(height: 3, width: 3, channels: 2, kernel: 1, stride: 1, padding: 0, gridHeight: 3, gridWidth: 3),
    ]
}
