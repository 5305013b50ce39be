import LatentSpec

/// A spec whose names are resolved, whose shapes are inferred and whose objective's
/// rules hold: what the lowering to tape IR starts from.
public struct CheckedModel: Sendable {
    public var spec: Spec
    /// Input and output width of every network that is used, by name.
    public var networkShapes: [String: NetworkShape]
    /// How each latent is inferred from the data, by latent name (empty for a GAN).
    public var encoders: [String: EncoderKind]
    /// The network call of each intermediate value of the inference model (`h = trunk(x)`,
    /// `h` not a latent) that later encoders share, by name.
    public var features: [String: NetworkCall]
    /// The networks training updates, in declaration order.
    public var trainedNetworks: [String]
    /// The classes of the one-hot `label` a discriminator reads, when one reads it.
    public var labelClasses: Int?

    /// The classes of the one-hot labels a step may read: the data's `label` that a
    /// discriminator reads, else those of a categorical label latent (which a supervised
    /// term trains on labels of); nil when neither is there.
    public var labelWidth: Int? {
        labelClasses ?? spec.latents.first { $0.distribution?.value.isCategorical ?? false }?.dimension.value
    }
}

/// The shapes a network is used with: what its first layer sees (one input's shape, or
/// vectors concatenated) and the shape after each layer (`[n]` or `[C, H, W]`).
public struct NetworkShape: Hashable, Sendable {
    public var input: [Int]
    /// The values a `join` layer appends (the widths of the second and later inputs); 0
    /// without a join.
    public var joined: Int
    public var layers: [[Int]]
    /// The most values per example any of its values holds (a convolution's patches included).
    public var largestValue: Int

    public init(input: [Int], joined: Int = 0, layers: [[Int]], largestValue: Int = 0) {
        self.input = input
        self.joined = joined
        self.layers = layers
        self.largestValue = largestValue
    }

    public var output: [Int] { layers.last ?? input }
    /// The shape layer `layer` receives: the input, or the previous layer's output.
    public func arriving(at layer: Int) -> [Int] { layer == 0 ? input : layers[layer - 1] }
    public var inputWidth: Int { input.reduce(1, *) }
    public var outputWidth: Int { output.reduce(1, *) }
}

/// The kinds of posterior q(z|x) an inference statement can define.
public enum EncoderKind: Hashable, Sendable {
    /// `z = encoder(x)`: a point mass.
    case deterministic
    /// `z ~ gaussian(encoder(x))`: reparametrised diagonal Gaussian.
    case gaussian
    /// `z = encoder(x, eps)`: an implicit distribution ("universal approximator posterior").
    case implicit(noise: [String])
    /// `y ~ categorical(logits=classifier(x))`: a label latent.
    case categorical
}

extension CheckedModel {
    /// The first batch norm that a batch of `batch` examples gives a single value per
    /// channel (a vector at batch 1), whose variance would be zero: its network, layer
    /// index and why; nil when every batch norm has at least two values per channel.
    public func batchNormTooSmall(batch: Int) -> (network: String, layer: Int, message: String)? {
        Self.batchNormTooSmall(spec, networkShapes, batch: batch)
    }

    /// Why a batch of `batch` examples cannot train as `shards` shards (a data-parallel
    /// step), each with the batch-norm layer it is about (nil: the shard count itself).
    public func shardingProblems(batch: Int, shards: Int) -> [(batchNorm: (network: String, layer: Int)?, message: String)] {
        Self.shardingProblems(spec, batch: batch, shards: shards)
    }

    static func shardingProblems(_ spec: Spec, batch: Int, shards: Int)
        -> [(batchNorm: (network: String, layer: Int)?, message: String)]
    {
        guard shards > 1 else { return [] }
        var problems: [(batchNorm: (network: String, layer: Int)?, message: String)] = []
        if batch % shards != 0 {
            problems.append(
                (nil, "\(shards) shards do not divide the batch of \(batch) evenly; use a batch that is a multiple of \(shards)"))
        }
        for network in spec.networks {
            guard let layer = network.layers.firstIndex(where: { $0.value.kind.isBatchNorm }) else { continue }
            problems.append(
                (
                    (network.name.value, layer),
                    "network '\(network.name.value)' has batch_norm, whose statistics would be each shard's own; train it with 'shards: 1'"
                ))
        }
        return problems
    }


    static func batchNormTooSmall(_ spec: Spec, _ networkShapes: [String: NetworkShape], batch: Int)
        -> (network: String, layer: Int, message: String)?
    {
        for network in spec.networks {
            guard let shape = networkShapes[network.name.value] else { continue }
            for (index, layer) in network.layers.enumerated() {
                guard case .batchNorm = layer.value.kind else { continue }
                let arriving = shape.arriving(at: index)
                let perChannel = batch * (arriving.count == 3 ? arriving[1] * arriving[2] : 1)
                if perChannel < 2 {
                    return (
                        network.name.value, index,
                        "batch_norm in network '\(network.name.value)' normalises each channel of \(LayerShapes.describe(arriving)) over the batch, which needs at least 2 examples; the batch is \(batch)"
                    )
                }
            }
        }
        return nil
    }
}
