import LatentIR
import LatentSpec

/// A layer as the IR computes it: its parameters' indices and, for images, where its
/// patches lie. Images are stored channels-last (`[..., H, W, C]`): a convolution is then
/// one product of its patches with a `[K·K·C, filters]` weight, like a dense layer on
/// every patch, and its bias and activation fuse like a dense layer's. A layer followed by
/// a batch norm has no bias (nil): the normalisation subtracts it again, so its gradient is
/// zero and it would only drift under Adam.
enum LoweredLayer {
    /// x W + b, then the activation.
    case dense(weight: Int, bias: Int?, Activation)
    /// patches(x) W + b, then the activation.
    case conv(weight: Int, bias: Int?, ConvGeometry, Activation)
    /// unpatches(x W) + b, then the activation.
    case deconv(weight: Int, bias: Int?, ConvGeometry, Activation)
    /// The same values under other trailing dimensions (`flatten`, `reshape`).
    case reshape([Dim])
    /// The network's second and later inputs appended to the last axis.
    case join
    /// (x − mean) / sqrt(variance + ε) · scale + shift per channel (the last axis), then the
    /// activation: the batch's statistics in training, the running ones otherwise.
    case batchNorm(scale: Int, shift: Int, mean: Int, variance: Int, Activation)

    /// The IR's trailing dimensions of an example of a spec shape: `[n]`, or `[H, W, C]` for
    /// an image `[C, H, W]`.
    static func dims(_ shape: [Int]) -> [Dim] {
        (shape.count == 3 ? [shape[1], shape[2], shape[0]] : shape).map { .fixed($0) }
    }

    /// The layers of a network whose input and layer shapes the checker inferred, appending
    /// their parameters (weights initialised by `initializer`, biases zero).
    static func lower(
        _ network: NetworkDeclaration, shape: NetworkShape, parameters: inout [Parameter]
    ) -> [LoweredLayer] {
        let name = network.name.value
        var lowered: [LoweredLayer] = []
        func weights(_ index: Int, _ shape: [Int], bias: Int, fanIn: Int, fanOut: Int) -> (weight: Int, bias: Int?) {
            let initializer: ParameterInitializer =
                network.initializer.value == .he ? .he(fanIn: fanIn) : .glorot(fanIn: fanIn, fanOut: fanOut)
            parameters.append(
                Parameter(name: "\(name).\(index).weight", network: name, shape: shape, initializer: initializer))
            let weight = parameters.count - 1
            let normalised = index + 1 < network.layers.count && network.layers[index + 1].value.kind.isBatchNorm
            if normalised { return (weight, nil) }
            parameters.append(Parameter(name: "\(name).\(index).bias", network: name, shape: [bias], initializer: .zeros))
            return (weight, parameters.count - 1)
        }
        for (index, layer) in network.layers.enumerated() {
            let before = shape.arriving(at: index)
            let after = shape.layers[index]
            let activation = layer.value.activation
            switch layer.value.kind {
            case .dense(let units):
                let (weight, bias) = weights(index, [before[0], units], bias: units, fanIn: before[0], fanOut: units)
                lowered.append(.dense(weight: weight, bias: bias, activation))
            case .conv(let c):
                let geometry = ConvGeometry(
                    height: before[1], width: before[2], channels: before[0], kernel: c.kernel, stride: c.stride,
                    padding: c.padding, gridHeight: after[1], gridWidth: after[2])
                let (weight, bias) = weights(
                    index, [geometry.patchSize, c.filters], bias: c.filters, fanIn: geometry.patchSize, fanOut: c.kernel * c.kernel * c.filters)
                lowered.append(.conv(weight: weight, bias: bias, geometry, activation))
            case .deconv(let c):
                let geometry = ConvGeometry(
                    height: after[1], width: after[2], channels: c.filters, kernel: c.kernel, stride: c.stride,
                    padding: c.padding, gridHeight: before[1], gridWidth: before[2])
                // Each output sums about (K / stride)² input positions of every input channel.
                let fanIn = max(1, before[0] * c.kernel * c.kernel / (c.stride * c.stride))
                let (weight, bias) = weights(
                    index, [before[0], geometry.patchSize], bias: c.filters, fanIn: fanIn, fanOut: c.kernel * c.kernel * c.filters)
                lowered.append(.deconv(weight: weight, bias: bias, geometry, activation))
            case .flatten, .reshape:
                lowered.append(.reshape(dims(after)))
            case .join:
                lowered.append(.join)
            case .batchNorm(let momentum):
                let channels = after[0]
                func add(_ part: String, _ initializer: ParameterInitializer, momentum: Double? = nil) -> Int {
                    parameters.append(
                        Parameter(
                            name: "\(name).\(index).\(part)", network: name, shape: [channels],
                            initializer: initializer, momentum: momentum))
                    return parameters.count - 1
                }
                lowered.append(
                    .batchNorm(
                        scale: add("scale", .ones), shift: add("shift", .zeros),
                        mean: add("running_mean", .zeros, momentum: momentum),
                        variance: add("running_var", .ones, momentum: momentum), activation))
            }
        }
        return lowered
    }
}
