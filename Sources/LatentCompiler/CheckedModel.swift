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

/// The widths a network is used with (its inputs are concatenated).
public struct NetworkShape: Hashable, Sendable {
    public var inputWidth: Int
    public var outputWidth: Int

    public init(inputWidth: Int, outputWidth: Int) {
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
    }
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
