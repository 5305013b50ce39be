import LatentData
import LatentSpec

/// Shape inference through a network's layers: the shape of one example after each layer
/// (`[n]` for a vector, `[C, H, W]` for an image), or the first layer that cannot take what
/// arrives, with why and what would fit.
enum LayerShapes {
    struct Failure: Error {
        /// The index of the layer that cannot take its input.
        var layer: Int
        var message: String
    }

    static func infer(_ layers: [Layer], input: [Int], joined: Int = 0) -> Result<[[Int]], Failure> {
        var shapes: [[Int]] = []
        var shape = input
        for (index, layer) in layers.enumerated() {
            switch output(of: layer.kind, on: shape, joined: joined) {
            case .success(let next):
                if let weights = weightCount(layer.kind, before: shape), weights > maximumWeights {
                    return .failure(
                        Failure(
                            layer: index,
                            message: "\(layer.kind.name) on \(describe(shape)) would have more than \(maximumWeights) weights; use fewer filters or a smaller kernel"))
                }
                guard let count = Sizes.product(next), count <= Sizes.maximumWidth else {
                    return .failure(
                        Failure(
                            layer: index,
                            message: "\(layer.kind.name) makes \(describe(next)), more than \(Sizes.maximumWidth) values per example"))
                }
                shape = next
                shapes.append(next)
            case .failure(let message):
                return .failure(Failure(layer: index, message: message))
            }
        }
        return .success(shapes)
    }

    /// The most weights one layer may have (2^36 floats, 256 GB): far beyond any machine's
    /// memory, far below where size arithmetic overflows.
    static let maximumWeights = 1 << 36

    /// How many weights a layer has on an input of shape `before` (nil: none; `Int.max`: too
    /// many to count).
    static func weightCount(_ kind: LayerKind, before: [Int]) -> Int? {
        switch kind {
        case .dense(let units): Sizes.product([before.reduce(1, *), units]) ?? .max
        case .conv(let c), .deconv(let c): Sizes.product([c.kernel, c.kernel, before.first ?? 1, c.filters]) ?? .max
        default: nil
        }
    }

    /// `the vector [784]` or `the image [1, 28, 28]`.
    static func describe(_ shape: [Int]) -> String {
        (shape.count == 1 ? "the vector " : shape.count == 3 ? "the image " : "") + text(shape)
    }

    static func text(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    enum Outcome { case success([Int]), failure(String) }

    static func output(of kind: LayerKind, on shape: [Int], joined: Int) -> Outcome {
        switch kind {
        case .dense(let units):
            guard shape.count == 1 else {
                return .failure("dense needs a vector, but gets \(describe(shape)); put 'flatten' before it")
            }
            return .success([units])
        case .conv(let c):
            guard shape.count == 3 else { return .failure(needsImage("conv", shape)) }
            guard c.padding < c.kernel else {
                return .failure("conv \(c.kernel)x\(c.kernel) with pad \(c.padding) pads more than the kernel covers; use a pad below \(c.kernel)")
            }
            var sides: [Int] = []
            for side in shape[1...] {
                let span = side + 2 * c.padding - c.kernel
                guard span >= 0 else {
                    return .failure(
                        "conv \(c.kernel)x\(c.kernel) is larger than the \(shape[1])x\(shape[2]) image with pad \(c.padding)")
                }
                guard covers(side: side, kernel: c.kernel, stride: c.stride, pad: c.padding) else {
                    let fraction = Double(span) / Double(c.stride) + 1
                    return .failure(
                        "conv \(c.kernel)x\(c.kernel) stride \(c.stride) on \(shape[1])x\(shape[2]) with pad \(c.padding) leaves a fraction (\(Expression.format(fraction)))"
                            + fitting(side: side, c))
                }
                sides.append(span / c.stride + 1)
            }
            return .success([c.filters] + sides)
        case .deconv(let c):
            guard shape.count == 3 else { return .failure(needsImage("deconv", shape)) }
            guard c.padding < c.kernel else {
                return .failure("deconv \(c.kernel)x\(c.kernel) with pad \(c.padding) crops more than the kernel covers; use a pad below \(c.kernel)")
            }
            guard c.outputPadding < c.stride else {
                return .failure("deconv output_pad \(c.outputPadding) must be smaller than its stride \(c.stride)")
            }
            var sides: [Int] = []
            for side in shape[1...] {
                let size = (side - 1) * c.stride - 2 * c.padding + c.kernel + c.outputPadding
                guard size >= 1 else {
                    return .failure("deconv \(c.kernel)x\(c.kernel) with pad \(c.padding) on \(shape[1])x\(shape[2]) leaves no output; use a smaller pad")
                }
                sides.append(size)
            }
            return .success([c.filters] + sides)
        case .flatten:
            guard shape.count > 1 else {
                return .failure("flatten gets \(describe(shape)), which is flat already; remove it")
            }
            return .success([Sizes.product(shape) ?? 0])
        case .join:
            guard shape.count == 1 else {
                return .failure("join appends vectors, but gets \(describe(shape)); put 'flatten' before it")
            }
            return .success([shape[0] + joined])
        case .reshape(let target):
            let needed = Sizes.product(target) ?? 0
            let arriving = Sizes.product(shape) ?? 0
            guard needed == arriving else {
                return .failure("reshape \(text(target)) needs \(needed) values, but gets \(describe(shape)) (\(arriving) values)")
            }
            return .success(target)
        case .batchNorm:
            guard shape.count == 1 || shape.count == 3 else { return .failure(needsImage("batch_norm", shape)) }
            return .success(shape)
        }
    }

    /// Whether a convolution's steps read every pixel of a side: the steps tile the padded
    /// side exactly, or a last step that would reach only into the bottom or right padding
    /// is dropped (as PyTorch's floor does); one that would leave pixels unread is not.
    static func covers(side: Int, kernel: Int, stride: Int, pad: Int) -> Bool {
        let span = side + 2 * pad - kernel
        return span >= 0 && (span % stride == 0 || (span / stride) * stride - pad + kernel >= side)
    }

    /// What would read every pixel: another pad, else a kernel one smaller or larger.
    static func fitting(side: Int, _ c: Convolution) -> String {
        // Pads nearest the one written first.
        func pad(kernel: Int) -> Int? {
            (0..<kernel).sorted { abs($0 - c.padding) < abs($1 - c.padding) }.first {
                covers(side: side, kernel: kernel, stride: c.stride, pad: $0)
            }
        }
        if let p = pad(kernel: c.kernel) { return ": use pad \(p)" }
        for kernel in [c.kernel - 1, c.kernel + 1] where kernel >= 1 {
            if let p = pad(kernel: kernel) { return ": use a \(kernel)x\(kernel) kernel with pad \(p)" }
        }
        return ": use stride 1"
    }

    static func needsImage(_ layer: String, _ shape: [Int]) -> String {
        "\(layer) needs an image [C, H, W], but gets \(describe(shape)); give the data a shape such as 'shape: [1, 28, 28]' or put 'reshape [C, H, W]' before it"
    }

    /// The most values one example holds in any of a network's layers, a convolution's
    /// patches included (what the step's largest value is made of).
    static func largestValue(_ layers: [Layer], _ shape: NetworkShape) -> Int {
        var largest = Sizes.product(shape.input) ?? 0
        for (index, layer) in layers.enumerated() {
            let before = shape.arriving(at: index)
            let after = shape.layers[index]
            var values = [Sizes.product(after) ?? 0]
            switch layer.kind {
            case .conv(let c):
                values.append(Sizes.product([after[1], after[2], c.kernel, c.kernel, before[0]]) ?? .max)
            case .deconv(let c):
                values.append(Sizes.product([before[1], before[2], c.kernel, c.kernel, c.filters]) ?? .max)
            default: break
            }
            largest = max(largest, values.max() ?? 0)
        }
        return largest
    }
}
