import LatentData

/// The structure of a spec's YAML, written once. The decoder reads fields through it
/// (unknown keys are errors with suggestions) and `JSONSchemaWriter` turns it into
/// `Grammar/latent.schema.json`, so the checker and the schema cannot disagree.
public indirect enum SchemaType: Sendable {
    /// A whole number within bounds (sizes are capped: see `Sizes`).
    case integer(minimum: Int, maximum: Int)
    case number
    case boolean
    case enumeration([String])
    /// A string in the expression language; `rule` names the EBNF start symbol.
    case expression(rule: String, example: String)
    case object(SchemaObject)
    /// A mapping from user-chosen names to values of one type; with `nameLists`, a key may
    /// also be several names separated by commas.
    case map(SchemaType, nameLists: Bool = false)
    case list(SchemaType)
    /// One of several types (e.g. an integer or the word `all`).
    case choice([SchemaType])
    /// An object whose `tag` field selects which fields it has.
    case tagged(tag: String, variants: [SchemaVariant])
}

/// One key of a YAML mapping.
public struct SchemaField: Sendable {
    public var key: String
    public var type: SchemaType
    public var required: Bool
    public var summary: String

    init(_ key: String, _ type: SchemaType, required: Bool = false, _ summary: String) {
        self.key = key
        self.type = type
        self.required = required
        self.summary = summary
    }
}

/// A mapping with a fixed set of keys.
public struct SchemaObject: Sendable {
    public var name: String
    public var summary: String
    public var fields: [SchemaField]

    public func field(_ key: String) -> SchemaField? { fields.first { $0.key == key } }
}

/// One variant of a tagged object: the tag's value and the fields that come with it.
public struct SchemaVariant: Sendable {
    public var tag: String
    public var object: SchemaObject
}

/// The spec format, version 1.
public enum SpecSchema {
    public static let variable = SchemaObject(
        name: "latent variable", summary: "A latent variable: its size and its prior p(z).",
        fields: [
            SchemaField(
                "dim", .integer(minimum: 1, maximum: Sizes.maximumWidth),
                "Number of dimensions (for a categorical prior, defaults to its number of classes)."),
            SchemaField(
                "prior", .expression(rule: "distribution", example: "normal(0, 1)"),
                "The prior: normal, mixture, categorical, uniform or swiss_roll (samples only). Without it, the model gives the latent a prior conditioned on other latents: 'h1 ~ gaussian(prior_net(h2))'."),
        ])

    public static let noise = SchemaObject(
        name: "noise input", summary: "Auxiliary noise fed to an implicit encoder f(x, eps).",
        fields: [
            SchemaField("dim", .integer(minimum: 1, maximum: Sizes.maximumWidth), required: true, "Number of dimensions."),
            SchemaField(
                "distribution", .expression(rule: "distribution", example: "normal(0, 1)"),
                "Where the noise is drawn from (default normal(0, 1))."),
        ])

    public static let network = SchemaObject(
        name: "network",
        summary: "A network of layers; its inputs are concatenated vectors, or one image [C, H, W].",
        fields: [
            SchemaField(
                "layers", .list(.expression(rule: "layer", example: "dense 512 relu")), required: true,
                "Layers in order: 'dense UNITS [ACTIVATION]', 'conv FILTERS KxK [stride S] [pad P] [ACTIVATION]', 'deconv FILTERS KxK [stride S] [pad P] [output_pad Q] [ACTIVATION]', 'flatten', 'join' (appends the network's other inputs), 'reshape [C, H, W]', 'batch_norm [momentum M]'."),
            SchemaField(
                "init", .enumeration(Initializer.allCases.map(\.rawValue)),
                "Weight initialisation (default glorot)."),
        ])

    public static let data = SchemaObject(
        name: "data", summary: "The training data, bound to the variable x.",
        fields: [
            SchemaField(
                "source", .expression(rule: "source", example: "fashion-mnist"), required: true,
                "fashion-mnist, a file (idx, npy, csv) or a synthetic set."),
            SchemaField(
                "shape", .list(.integer(minimum: 1, maximum: Sizes.maximumWidth)),
                "Shape of one example (fixed by built-in sources, required for files)."),
            SchemaField("range", .list(.number), "[low, high] that byte values 0..255 map onto (default [0, 1])."),
            SchemaField(
                "binarize", .enumeration(Binarization.allCases.map(\.rawValue)),
                "Binarise pixels: none (default), threshold at the middle, or stochastic (resampled each epoch)."),
            SchemaField(
                "labelled", .choice([.integer(minimum: 0, maximum: Sizes.maximumExamples), .enumeration(["all"])]),
                "How many training examples keep their label (default all)."),
        ])

    static let call = SchemaType.expression(rule: "call", example: "D(z)")

    public static let objective = SchemaType.tagged(
        tag: "kind",
        variants: [
            SchemaVariant(
                tag: "elbo",
                object: SchemaObject(
                    name: "elbo objective", summary: "The evidence lower bound (VAE; IWAE with samples > 1).",
                    fields: [
                        SchemaField("beta", .number, "Weight of the KL term (default 1)."),
                        SchemaField(
                            "samples", .integer(minimum: 1, maximum: 100_000),
                            "Importance samples per example: 1 is the ELBO, k > 1 the IWAE bound (default 1)."),
                        SchemaField(
                            "kl", .enumeration(ELBOOptions.KL.allCases.map(\.rawValue)),
                            "auto (analytic when both sides are Gaussian), analytic, or sampled."),
                    ])),
            SchemaVariant(
                tag: "gan",
                object: SchemaObject(
                    name: "gan objective", summary: "The GAN minimax game.",
                    fields: [
                        SchemaField("discriminator", call, required: true, "The discriminator applied to x: D(x)."),
                        SchemaField(
                            "generator_loss",
                            .enumeration(GANOptions.GeneratorLoss.allCases.map(\.rawValue)),
                            "minimax or non_saturating (default)."),
                    ])),
            SchemaVariant(
                tag: "aae",
                object: SchemaObject(
                    name: "aae objective", summary: "The adversarial autoencoder.",
                    fields: [
                        SchemaField(
                            "discriminator", call, required: true,
                            "The adversary on the code: D(z); D(z, label) also reads the example's one-hot class, and its prior samples come from that class's part of the prior (a mixture's component, a stretch of a swiss roll)."
                        ),
                        SchemaField(
                            "label_discriminator", call,
                            "The adversary on a categorical label latent: D_y(y)."),
                        SchemaField(
                            "supervised", .number,
                            "Weight of the cross-entropy on labelled batches (default 0: none)."),
                        SchemaField(
                            "adversarial_weight", .number,
                            "Weight of the encoder's adversarial loss in the regularization phase (default 1). Adam's steps ignore it unless the encoder's optimizer state is shared with reconstruction (training.optimizer_state: shared), where it sets the adversarial steps' size against reconstruction's."
                        ),
                    ])),
            SchemaVariant(
                tag: "avb",
                object: SchemaObject(
                    name: "avb objective", summary: "Adversarial variational Bayes.",
                    fields: [
                        SchemaField("adversary", call, required: true, "The adversary T(x, z)."),
                        SchemaField("adaptive_contrast", .boolean, "Use adaptive contrast (default false)."),
                        SchemaField(
                            "samples", .integer(minimum: 2, maximum: 1000),
                            "Encoder samples per example for adaptive contrast's mean and variance (default 8)."),
                    ])),
        ])

    public static let training = SchemaObject(
        name: "training", summary: "Batches, length, seed, schedule and optimizers.",
        fields: [
            SchemaField("batch", .integer(minimum: 1, maximum: Sizes.maximumBatch), "Examples per batch (default 100)."),
            SchemaField("epochs", .integer(minimum: 1, maximum: Sizes.maximumEpochs), "Passes over the data (default 10; not with steps)."),
            SchemaField("steps", .integer(minimum: 1, maximum: Sizes.maximumSteps), "Training steps instead of epochs."),
            SchemaField("seed", .integer(minimum: 0, maximum: Int.max), "Seed of every random draw (default 0)."),
            SchemaField(
                "discriminator_steps", .integer(minimum: 1, maximum: Sizes.maximumRepeats),
                "k: discriminator or adversary steps per generator step (default 1)."),
            SchemaField(
                "shards", .integer(minimum: 1, maximum: Sizes.maximumShards),
                "Fixed parts of each batch whose gradients are summed in one order (default 1): any number of processes that divides it (mpirun -np N) trains the same weights."),
            SchemaField(
                "optimizer_state", .enumeration(OptimizerStateSharing.allCases.map(\.rawValue)),
                "per_phase (default): each phase keeps its own optimizer state (Adam moments) for a network it trains; shared: one state per network, updated by every phase that trains it."),
            SchemaField(
                "optimizers", .map(.expression(rule: "optimizer", example: "adam(lr=0.001)"), nameLists: true),
                required: true,
                "Network name (or comma-separated names) to optimizer: sgd, momentum, adam, rmsprop."),
        ])

    public static let root = SchemaObject(
        name: "spec", summary: "A Latent model spec.",
        fields: [
            SchemaField("latent", .integer(minimum: 1, maximum: 1000), required: true, "Spec format version: 1."),
            SchemaField("data", .object(data), required: true, "The training data."),
            SchemaField("latents", .map(.object(variable)), "Latent variables and their priors."),
            SchemaField("noise", .map(.object(noise)), "Auxiliary noise inputs."),
            SchemaField("networks", .map(.object(network)), required: true, "The networks."),
            SchemaField(
                "model", .list(.expression(rule: "statement", example: "x ~ bernoulli(logits=decoder(z))")),
                required: true, "The generative model p(x | z)."),
            SchemaField(
                "inference", .list(.expression(rule: "statement", example: "z ~ gaussian(encoder(x))")),
                "The inference model q(z | x)."),
            SchemaField("objective", objective, required: true, "What training optimises."),
            SchemaField("training", .object(training), required: true, "How training runs."),
        ])
}
