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
}

/// The shapes a network is used with: what its first layer sees (one input's shape, or
/// vectors concatenated) and the shape after each layer (`[n]` or `[C, H, W]`).
public struct NetworkShape: Hashable, Sendable {
    public var input: [Int]
    public var layers: [[Int]]
    /// The most values per example any of its values holds (a convolution's patches included).
    public var largestValue: Int

    public init(input: [Int], layers: [[Int]], largestValue: Int) {
        self.input = input
        self.layers = layers
        self.largestValue = largestValue
    }

    public var output: [Int] { layers.last ?? input }
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
