import LatentPictures

/// Pictures of a model's data: image grids of samples, and originals above their
/// reconstructions.
public enum Pictures {
    /// `values` cut into `count` equal rows.
    public static func rows(_ values: [Float], count: Int) -> [[Float]] {
        let width = values.count / max(count, 1)
        return (0..<count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// Image height and width of a data shape ([h, w], [1, h, w], or a flat length that is a
    /// square of at least 4 x 4, such as Fashion-MNIST's 784), or nil.
    public static func imageSize(_ shape: [Int]) -> (height: Int, width: Int)? {
        if shape.count == 1 {
            let side = Int(Double(shape[0]).squareRoot().rounded())
            return side >= 4 && side * side == shape[0] ? (side, side) : nil
        }
        if shape.count == 2 { return (shape[0], shape[1]) }
        if shape.count == 3, shape[0] == 1 { return (shape[1], shape[2]) }
        return nil
    }

    /// Originals (odd rows) above their reconstructions (even rows), eight to a row.
    public static func reconstructions(originals: [Float], reconstructions: [Float], count: Int, height: Int, width: Int) -> Image {
        let passes = [rows(originals, count: count), rows(reconstructions, count: count)]
        let columns = min(count, 8)
        var images: [[Float]] = []
        for start in stride(from: 0, to: count, by: columns) {
            for pass in passes {
                images += pass[start..<min(count, start + columns)]
                images += Array(
                    repeating: [Float](repeating: 0.5, count: height * width),
                    count: start + columns - min(count, start + columns))
            }
        }
        return Plots.grid(images, width: width, height: height, columns: columns)
    }
}
