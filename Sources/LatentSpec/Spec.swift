import LatentData

/// A parsed spec: what the user wrote, interpreted field by field, with every default
/// filled in and every node carrying its source location. Names are not resolved yet:
/// that is the checker's job (LatentCompiler).
public struct Spec: Sendable {
    /// The spec format version (`latent: 1`).
    public var version: Located<Int>
    public var data: DataSpec
    /// Latent variables with their priors, in declaration order.
    public var latents: [VariableDeclaration]
    /// Auxiliary noise inputs (the eps of an implicit encoder f(x, eps)).
    public var noise: [VariableDeclaration]
    public var networks: [NetworkDeclaration]
    /// The generative model p(x | z): statements about the data variable.
    public var model: [Statement]
    /// The inference model q(z | x): statements that define each latent from the data.
    public var inference: [Statement]
    public var objective: Located<Objective>
    public var training: TrainingSpec

    /// The format versions this build reads.
    public static let supportedVersions = 1...1
}

// MARK: - Data

/// Where the training data comes from and how it is presented to the model.
public struct DataSpec: Sendable {
    /// The name the data variable has in statements (always `x`).
    public static let variableName = "x"
    /// The name of an example's one-hot class label, which an adversary may read (always `label`).
    public static let labelName = "label"

    public var source: Located<DataSource>
    /// The shape of one example; networks see it flattened.
    public var shape: Located<[Int]>
    /// The interval that stored values 0...255 are mapped onto (image sources only).
    public var range: Located<ClosedInterval>?
    public var binarize: Located<Binarization>
    /// How many training examples keep their label (nil: all of them).
    public var labelled: Located<Int?>

    /// The width networks see: the product of the shape.
    public var width: Int { shape.value.reduce(1, *) }
}

/// A source of training data.
public enum DataSource: Hashable, Sendable {
    /// Fashion-MNIST from Debian's `dataset-fashion-mnist` (28x28 grey images, 10 classes).
    case fashionMNIST
    /// A file on disk with an optional file of labels.
    case file(DataFileFormat, path: String, labels: String?)
    /// A built-in synthetic set.
    case synthetic(SyntheticSet)

    /// Whether examples of this source come with class labels.
    public var hasLabels: Bool {
        switch self {
        case .fashionMNIST: true
        case .file(_, _, let labels): labels != nil
        case .synthetic(let set): set.hasLabels
        }
    }

    /// The shape of one example, when the source fixes it.
    public var knownShape: [Int]? {
        switch self {
        case .fashionMNIST: [784]
        case .file: nil
        case .synthetic(let set): [set.dimension]
        }
    }

    /// The number of training examples, when known before reading any file.
    public var knownCount: Int? {
        switch self {
        case .fashionMNIST: 60_000
        case .file: nil
        case .synthetic(let set): set.count
        }
    }

    /// Whether values are stored as bytes and mapped onto `range`.
    public var isImage: Bool {
        switch self {
        case .fashionMNIST, .file: true
        case .synthetic: false
        }
    }
}

// MARK: - Variables

/// A latent variable or a noise input: a name, a size and a distribution.
public struct VariableDeclaration: Sendable {
    public var name: Located<String>
    /// The number of dimensions (for a categorical, the number of classes).
    public var dimension: Located<Int>
    /// The prior (or the noise's distribution); nil for a latent whose prior is a model
    /// statement conditioned on other latents (`h1 ~ gaussian(prior_net(h2))`).
    public var distribution: Located<Distribution>?

    /// Whether the prior is a model statement rather than a fixed distribution.
    public var isConditional: Bool { distribution == nil }
}

/// A distribution over a latent vector: a prior or a noise source.
public enum Distribution: Hashable, Sendable {
    /// A diagonal normal; one-element vectors are broadcast over all dimensions.
    case normal(mean: [Double], std: [Double])
    /// A weighted mixture of diagonal normals.
    case mixture([MixtureComponent])
    /// `components` equally weighted isotropic normals evenly spaced on a circle (2-D).
    case ringMixture(components: Int, radius: Double, std: Double)
    /// A one-hot categorical over `probabilities.count` classes.
    case categorical(probabilities: [Double])
    /// Independent uniforms on [low, high].
    case uniform(low: Double, high: Double)
    /// A 2-D swiss roll: samples only, no density (fine for adversarial objectives).
    case swissRoll(noise: Double)

    /// Whether the log-density can be evaluated (an analytic or Monte-Carlo KL needs it).
    public var hasDensity: Bool {
        if case .swissRoll = self { return false }
        return true
    }

    /// Whether draws are one-hot class codes.
    public var isCategorical: Bool { if case .categorical = self { true } else { false } }

    /// The spec name of this kind of distribution.
    public var kindName: String {
        switch self {
        case .normal: "normal"
        case .mixture, .ringMixture: "mixture"
        case .categorical: "categorical"
        case .uniform: "uniform"
        case .swissRoll: "swiss_roll"
        }
    }
}

/// One component of a Gaussian mixture.
public struct MixtureComponent: Hashable, Sendable {
    public var weight: Double
    public var mean: [Double]
    public var std: [Double]

    public init(weight: Double, mean: [Double], std: [Double]) {
        self.weight = weight
        self.mean = mean
        self.std = std
    }
}

// MARK: - Networks

/// A named network: layers applied in order to its inputs (vectors concatenated, or one
/// image `[C, H, W]`; with a `join` layer, the first input alone until the others join).
public struct NetworkDeclaration: Sendable {
    public var name: Located<String>
    public var layers: [Located<Layer>]
    public var initializer: Located<Initializer>
}

/// One layer and the activation applied to its output.
public struct Layer: Hashable, Sendable {
    public var kind: LayerKind
    public var activation: Activation

    public init(_ kind: LayerKind, activation: Activation = .identity) {
        self.kind = kind
        self.activation = activation
    }
}

/// What a layer computes.
public enum LayerKind: Hashable, Sendable {
    /// A fully connected layer of `units` outputs on a vector.
    case dense(units: Int)
    /// A 2-D convolution of an image `[C, H, W]`.
    case conv(Convolution)
    /// A transposed convolution (the adjoint of `conv`'s map from its input to its output).
    case deconv(Convolution)
    /// An image `[C, H, W]` as a vector of C·H·W values.
    case flatten
    /// The vector that arrives with the network's second and later inputs appended: layers
    /// before it see the first input alone (an image's convolutions, before its code joins).
    case join
    /// A vector (or image) as an image of this shape `[C, H, W]`, with the same count.
    case reshape([Int])
    /// Batch normalisation over the batch (and an image's positions) per feature or
    /// channel, with a learned scale and shift; running averages of the statistics, updated
    /// with `momentum`, stand in for the batch's outside training.
    case batchNorm(momentum: Double)

    public var isBatchNorm: Bool { if case .batchNorm = self { true } else { false } }

    /// The layer's name as written.
    public var name: String {
        switch self {
        case .dense: "dense"
        case .conv: "conv"
        case .deconv: "deconv"
        case .flatten: "flatten"
        case .join: "join"
        case .reshape: "reshape"
        case .batchNorm: "batch_norm"
        }
    }
}

/// The geometry of a convolution or transposed convolution: `filters` output channels, a
/// square `kernel`, `stride`, zero `padding` on every side, and (transposed only) extra
/// `outputPadding` rows and columns at the bottom and right of the output.
public struct Convolution: Hashable, Sendable {
    public var filters: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var outputPadding: Int

    public init(filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) {
        self.filters = filters
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }
}

/// Elementwise activation functions.
public enum Activation: Hashable, Sendable {
    case identity, relu, tanh, sigmoid, softplus, elu
    case leakyRelu(slope: Double)

    /// Names as written in specs.
    public static let names = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "softplus", "elu"]
}

/// How weights are initialised.
public enum Initializer: String, CaseIterable, Sendable {
    /// Uniform with variance 2 / (fan_in + fan_out).
    case glorot
    /// Normal with variance 2 / fan_in, for ReLU networks.
    case he
}

// MARK: - Statements

/// One line of the model or the inference section.
public struct Statement: Sendable {
    public var target: Located<String>
    public var value: StatementValue
    public var location: SourceLocation
}

/// The right-hand side of a statement.
public enum StatementValue: Sendable {
    /// `target = network(inputs)`: deterministic (an implicit encoder when an input is noise).
    case map(NetworkCall)
    /// `target ~ family(network(inputs))`: a draw from a distribution the network parametrises.
    case draw(Located<Family>)
}

/// A network applied to named variables: `encoder(x, eps)`.
public struct NetworkCall: Hashable, Sendable {
    public var network: Located<String>
    public var inputs: [Located<String>]
    public var location: SourceLocation { network.location }
}

/// A conditional distribution parametrised by a network's output.
public enum Family: Hashable, Sendable {
    /// Mean and log-variance from the network (2 x dim outputs), or a fixed `std` with
    /// the mean from the network (dim outputs).
    case gaussian(NetworkCall, std: Double?)
    /// Independent Bernoullis with the network's outputs as logits.
    case bernoulli(logits: NetworkCall)
    /// A categorical with the network's outputs as logits.
    case categorical(logits: NetworkCall)

    public var call: NetworkCall {
        switch self {
        case .gaussian(let call, _), .bernoulli(let call), .categorical(let call): call
        }
    }
}

// MARK: - Objective

/// What training optimises; each kind lowers to its own phases.
public enum Objective: Sendable {
    case elbo(ELBOOptions)
    case gan(GANOptions)
    case aae(AAEOptions)
    case avb(AVBOptions)

    public static let kinds = ["elbo", "gan", "aae", "avb"]

    public var kind: String {
        switch self {
        case .elbo: "elbo"
        case .gan: "gan"
        case .aae: "aae"
        case .avb: "avb"
        }
    }
}

/// The evidence lower bound (VAE), optionally importance-weighted (IWAE).
public struct ELBOOptions: Sendable {
    /// How the KL term is computed.
    public enum KL: String, CaseIterable, Sendable {
        /// Analytic when prior and posterior are both Gaussian, Monte-Carlo otherwise.
        case auto, analytic, sampled
    }

    /// The weight of the KL term (beta-VAE).
    public var beta: Located<Double>
    /// Importance samples per example; more than 1 trains the IWAE bound.
    public var samples: Located<Int>
    public var kl: Located<KL>
}

/// The GAN minimax game.
public struct GANOptions: Sendable {
    /// The generator's loss.
    public enum GeneratorLoss: String, CaseIterable, Sendable {
        /// minimise log(1 - D(G(z))), as in the original game.
        case minimax
        /// maximise log D(G(z)): the same fixed point, stronger early gradients.
        case nonSaturating = "non_saturating"
    }

    public var discriminator: NetworkCall
    public var generatorLoss: Located<GeneratorLoss>
}

/// The adversarial autoencoder, with optional label latent (semi-supervised / clustering).
public struct AAEOptions: Sendable {
    /// The adversary on the continuous code: D(z).
    public var discriminator: NetworkCall
    /// The adversary on the label latent: D_y(y) (semi-supervised and clustering forms).
    public var labelDiscriminator: NetworkCall?
    /// The weight of the cross-entropy on labelled batches (0: no supervised term).
    public var supervised: Located<Double>
    /// The weight of the encoder's adversarial loss in the regularization phase (default 1);
    /// it matters when the encoder's optimizer state is shared with reconstruction.
    public var adversarialWeight: Located<Double>
}

/// Adversarial variational Bayes.
public struct AVBOptions: Sendable {
    /// The adversary T(x, z).
    public var adversary: NetworkCall
    /// Adaptive contrast: T sees z standardised by q's moments; the KL to a Gaussian r(z|x) is analytic.
    public var adaptiveContrast: Located<Bool>
    /// Encoder samples per example from which adaptive contrast estimates q's moments.
    public var samples: Located<Int>
}

// MARK: - Training

/// How long, on what batches, with which optimizers.
public struct TrainingSpec: Sendable {
    /// How long training runs.
    public enum Length: Hashable, Sendable {
        case epochs(Int)
        case steps(Int)
    }

    public var batch: Located<Int>
    public var length: Located<Length>
    public var seed: Located<Int>
    /// k: discriminator (adversary) steps per generator step.
    public var discriminatorSteps: Located<Int>
    /// The fixed parts each batch is computed in (their gradients summed in one order), so
    /// that any number of processes dividing it trains the same weights.
    public var shards: Located<Int>
    /// Optimizer settings; each group's networks keep their own optimizer state.
    public var optimizers: [OptimizerGroup]
    /// Whether each phase keeps its own optimizer state for a network it updates, or the
    /// phases updating a network share one.
    public var optimizerState: Located<OptimizerStateSharing>
}

/// Who owns a network's optimizer state (Adam's moments and step count).
public enum OptimizerStateSharing: String, CaseIterable, Sendable {
    /// Each phase its own, as one optimizer per training phase (the default).
    case perPhase = "per_phase"
    /// One per network, updated by every phase that trains it, as one optimizer per network.
    case shared
}

/// Networks that share optimizer settings: `encoder, decoder: adam(lr=0.001)`.
public struct OptimizerGroup: Sendable {
    public var networks: [Located<String>]
    public var optimizer: Located<Optimizer>
}

/// First-order optimizers with every hyper-parameter explicit.
public enum Optimizer: Hashable, Sendable {
    case sgd(lr: Double)
    case momentum(lr: Double, momentum: Double)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double)
    case rmsprop(lr: Double, decay: Double, eps: Double)
}

extension Spec {
    /// The model's statement about the data `x` (the likelihood or the generator).
    public var dataStatement: Statement? { model.first { $0.target.value == DataSpec.variableName } }

    /// The model's statements giving latents their conditional priors
    /// (`h1 ~ gaussian(prior_net(h2))`), in the order the model states them.
    public var priorStatements: [Statement] { model.filter { $0.target.value != DataSpec.variableName } }

    /// The model statement giving latent `name` its conditional prior, if it has one.
    public func priorStatement(of name: String) -> Statement? { model.first { $0.target.value == name } }

    /// The latents in the order ancestral sampling draws them: those with fixed priors in
    /// declaration order, then the conditional ones in the order the model states them.
    public var latentsInPriorOrder: [VariableDeclaration] {
        let conditional = priorStatements.compactMap { statement in
            latents.first { $0.name.value == statement.target.value && $0.isConditional }
        }
        return latents.filter { !$0.isConditional } + conditional
    }
}
