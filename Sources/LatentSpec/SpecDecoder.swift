import LatentData

/// Turns a spec file into a `Spec`: YAML structure against `SpecSchema`, expressions
/// through the grammar, defaults filled in. It reports every problem it finds and keeps
/// going, so one run shows all of them.
public enum SpecDecoder {
    /// The spec, or nil if anything in it was an error.
    public static func decode(_ file: SourceFile, _ diagnostics: inout DiagnosticList) -> Spec? {
        var local = DiagnosticList()
        let spec = decodeRecovering(file, &local)?.spec
        diagnostics.append(contentsOf: local)
        return local.hasErrors ? nil : spec
    }

    /// What could be read even when parts are broken, with the gaps recorded so that later
    /// checks skip what depends on them instead of reporting consequences of one mistake.
    /// Nil only when the file is not a YAML mapping at all.
    public static func decodeRecovering(_ file: SourceFile, _ diagnostics: inout DiagnosticList)
        -> (spec: Spec, gaps: DecodingGaps)?
    {
        guard let root = YAMLComposer.compose(file, into: &diagnostics) else {
            if !diagnostics.hasErrors { diagnostics.error("the spec is empty; it starts with 'latent: 1'", at: .start) }
            return nil
        }
        guard let reader = MappingReader(root, object: SpecSchema.root, context: "the spec", diagnostics: &diagnostics)
        else {
            return nil
        }
        var decoder = Decoding(diagnostics: diagnostics)
        let spec = decoder.spec(reader)
        diagnostics = decoder.diagnostics
        return (spec, decoder.gaps)
    }
}

/// The parts of a spec that could not be read (each already reported as an error).
public struct DecodingGaps: Sendable {
    /// Latents, noise inputs and networks whose declarations are broken.
    public var names: Set<String> = []
    /// Networks named in an optimizer group whose optimizer is broken.
    public var optimizedNetworks: Set<String> = []
    /// An optimizer group whose names could not be read: which networks it covers is unknown.
    public var optimizerNames = false
    public var data = false
    public var model = false
    public var inference = false
    public var objective = false
    public var training = false

    public init() {}

    public var isEmpty: Bool {
        names.isEmpty && optimizedNetworks.isEmpty && !optimizerNames && !data && !model && !inference && !objective && !training
    }
}

/// One decoding pass; `diagnostics` collects what it finds.
private struct Decoding {
    var diagnostics: DiagnosticList
    var gaps = DecodingGaps()

    mutating func spec(_ reader: MappingReader) -> Spec {
        var version: Located<Int>?
        if let written = reader.integer("latent", "the format version 'latent'", &diagnostics) {
            if Spec.supportedVersions.contains(written.value) {
                version = written
            } else {
                diagnostics.error(
                    "unsupported spec format version \(written.value); this Latent reads version \(Spec.supportedVersions.upperBound)",
                    at: written.location)
            }
        }
        let dataSpec = reader.value("data").flatMap { data($0) }
        let latents = declarations(reader.value("latents"), "latents") { $0.variable($1, $2, isNoise: false) }
        let noise = declarations(reader.value("noise"), "noise") { $0.variable($1, $2, isNoise: true) }
        let networks = declarations(reader.value("networks"), "networks") { $0.network($1, $2) }
        let (model, modelComplete) = statements(reader.value("model"), "model")
        let (inference, inferenceComplete) = statements(reader.value("inference"), "inference")
        gaps.model = !modelComplete || reader.value("model") == nil
        gaps.inference = !inferenceComplete
        let objectiveSpec = reader.value("objective").flatMap { objective($0) }
        let trainingSpec = reader.value("training").flatMap { training($0) }
        gaps.data = dataSpec == nil
        gaps.objective = objectiveSpec == nil
        gaps.training = trainingSpec == nil
        let start = SourceLocation.start
        return Spec(
            version: version ?? Located(1, at: start),
            data: dataSpec
                ?? DataSpec(
                    source: Located(.fashionMNIST, at: start), shape: Located([1], at: start), range: nil,
                    binarize: Located(.none, at: start), labelled: Located(nil, at: start)),
            latents: latents, noise: noise, networks: networks, model: model, inference: inference,
            objective: objectiveSpec
                ?? Located(
                    .elbo(
                        ELBOOptions(
                            beta: Located(1, at: start), samples: Located(1, at: start), kl: Located(.auto, at: start))),
                    at: start),
            training: trainingSpec
                ?? TrainingSpec(
                    batch: Located(1, at: start), length: Located(.steps(1), at: start), seed: Located(0, at: start),
                    discriminatorSteps: Located(1, at: start), shards: Located(1, at: start), optimizers: [],
                    optimizerState: Located(.perPhase, at: start)))
    }

    // MARK: Sections

    mutating func data(_ node: YAMLNode) -> DataSpec? {
        guard let reader = MappingReader(node, object: SpecSchema.data, context: "'data'", diagnostics: &diagnostics)
        else {
            return nil
        }
        let source = reader.value("source").flatMap { node in
            ScalarReader.expression(node, "a data source", &diagnostics).flatMap {
                DataSource.interpret($0, &diagnostics)
            }
        }
        var shape: Located<[Int]>?
        if let node = reader.value("shape"), let items = ScalarReader.list(node, "'shape'", &diagnostics) {
            let dims = items.compactMap {
                ScalarReader.integer($0, "a dimension of 'shape'", minimum: 1, maximum: Sizes.maximumWidth, &diagnostics)?
                    .value
            }
            if dims.count == items.count, !dims.isEmpty {
                if (Sizes.product(dims) ?? .max) > Sizes.maximumWidth || dims.count > 8 {
                    diagnostics.error(
                        "'shape' describes more than \(Sizes.maximumWidth) values per example (or more than 8 dimensions)",
                        at: node.location)
                } else {
                    shape = Located(dims, at: node.location)
                }
            } else if items.isEmpty {
                diagnostics.error("'shape' needs at least one dimension", at: node.location)
            }
        }
        if let source, let known = source.value.knownShape {
            if let written = shape, Sizes.product(written.value) != Sizes.product(known) {
                diagnostics.error(
                    "this data source has examples of shape \(known), but 'shape' says \(written.value)",
                    at: written.location)
                shape = Located(known, at: written.location)
            } else if shape == nil {
                shape = Located(known, at: source.location)
            }
        } else if let source, shape == nil, reader.value("shape") == nil {
            diagnostics.error("data read from a file needs its 'shape', such as 'shape: [784]'", at: source.location)
        }
        var range: Located<ClosedInterval>? = Located(ClosedInterval(low: 0, high: 1), at: reader.location)
        if let node = reader.value("range"), let items = ScalarReader.list(node, "'range'", &diagnostics) {
            let values = items.compactMap { ScalarReader.number($0, "a bound of 'range'", &diagnostics)?.value }
            if values.count != 2 || items.count != 2 {
                if values.count == items.count {
                    diagnostics.error("'range' is [low, high], two numbers", at: node.location)
                }
            } else if values[0] >= values[1] {
                diagnostics.error(
                    "'range' needs low < high, found [\(Expression.format(values[0])), \(Expression.format(values[1]))]",
                    at: node.location)
            } else {
                range = Located(ClosedInterval(low: values[0], high: values[1]), at: node.location)
            }
        }
        let binarize =
            reader.value("binarize").flatMap {
                ScalarReader.enumeration($0, "binarization", &diagnostics) as Located<Binarization>?
            } ?? Located(.none, at: reader.location)
        var labelled = Located<Int?>(nil, at: reader.location)
        if let node = reader.value("labelled") {
            if case .scalar(let scalar) = node, scalar.text == "all" {
                labelled = Located(nil, at: scalar.location)
            } else if let count = reader.integer("labelled", "'labelled' (a count, or 'all')", &diagnostics) {
                labelled = Located(count.value, at: count.location)
            }
        }
        if let source, !source.value.isImage {
            range = nil
            for key in ["range", "binarize"] {
                if let written = reader.key(key) {
                    diagnostics.error(
                        "'\(key)' applies to image data (bytes 0..255); synthetic sets are real-valued",
                        at: written.location,
                        length: key.count)
                }
            }
        }
        if let source, labelled.value != nil, !source.value.hasLabels {
            diagnostics.error("'labelled' needs a data source with labels; this one has none", at: labelled.location)
        }
        guard let source, let shape else { return nil }
        return DataSpec(source: source, shape: shape, range: range, binarize: binarize, labelled: labelled)
    }

    mutating func variable(_ name: Located<String>, _ node: YAMLNode, isNoise: Bool) -> VariableDeclaration? {
        let object = isNoise ? SpecSchema.noise : SpecSchema.variable
        let context = isNoise ? "noise '\(name.value)'" : "latent '\(name.value)'"
        guard let reader = MappingReader(node, object: object, context: context, diagnostics: &diagnostics) else {
            return nil
        }
        let distributionKey = isNoise ? "distribution" : "prior"
        let distribution: Located<Distribution>?
        if let node = reader.value(distributionKey) {
            distribution = ScalarReader.expression(node, "a distribution", &diagnostics).flatMap {
                Distribution.interpret($0, &diagnostics)
            }
        } else {
            distribution = isNoise ? Located(.normal(mean: [0], std: [1]), at: name.location) : nil
        }
        var dimension = reader.integer("dim", "'dim'", &diagnostics)
        if let distribution, case .categorical(let probabilities) = distribution.value {
            if let written = dimension, written.value != probabilities.count {
                diagnostics.error(
                    "\(context) is categorical over \(probabilities.count) classes, so its 'dim' is \(probabilities.count), not \(written.value)",
                    at: written.location)
                return nil
            }
            dimension = dimension ?? Located(probabilities.count, at: distribution.location)
        } else if dimension == nil, reader.value("dim") == nil, !isNoise,
            distribution != nil || reader.value(distributionKey) == nil
        {
            diagnostics.error(
                "\(context) needs 'dim', its number of dimensions", at: name.location, length: name.value.count)
        }
        if let written = dimension, written.value > 1_000_000 {
            diagnostics.error("'dim' is at most 1000000, found \(written.value)", at: written.location)
            return nil
        }
        // A latent without 'prior' gets one from a model statement (the checker sees to it);
        // a prior that is written but does not read is an error already reported.
        guard let dimension, distribution != nil || reader.value(distributionKey) == nil else { return nil }
        return VariableDeclaration(name: name, dimension: dimension, distribution: distribution)
    }

    mutating func network(_ name: Located<String>, _ node: YAMLNode) -> NetworkDeclaration? {
        let context = "network '\(name.value)'"
        guard let reader = MappingReader(node, object: SpecSchema.network, context: context, diagnostics: &diagnostics)
        else {
            return nil
        }
        var layers: [Located<Layer>] = []
        var layersOK = false
        if let node = reader.value("layers"),
            let items = ScalarReader.list(node, "the layers of \(context)", &diagnostics)
        {
            layers = items.compactMap { item in
                ScalarReader.scalar(item, "a layer such as 'dense 512 relu'", &diagnostics).flatMap {
                    Layer.interpret($0, &diagnostics)
                }
            }
            layersOK = layers.count == items.count
            if items.isEmpty { diagnostics.error("\(context) needs at least one layer", at: node.location) }
        }
        let initializer =
            reader.value("init").flatMap {
                ScalarReader.enumeration($0, "initializer", &diagnostics) as Located<Initializer>?
            } ?? Located(.glorot, at: name.location)
        guard layersOK, !layers.isEmpty else { return nil }
        return NetworkDeclaration(name: name, layers: layers, initializer: initializer)
    }

    /// The statements of a section, and whether every one of them could be read.
    mutating func statements(_ node: YAMLNode?, _ section: String) -> ([Statement], complete: Bool) {
        guard let node else { return ([], true) }
        guard let items = ScalarReader.list(node, "'\(section)' (a list of statements)", &diagnostics) else {
            return ([], false)
        }
        let statements = items.compactMap { item in
            ScalarReader.scalar(item, "a statement such as 'z ~ gaussian(encoder(x))'", &diagnostics).flatMap {
                Statement.interpret($0, &diagnostics)
            }
        }
        return (statements, statements.count == items.count)
    }

    mutating func objective(_ node: YAMLNode) -> Located<Objective>? {
        guard case .mapping(let entries, let location) = node else {
            diagnostics.error(
                "expected a mapping for 'objective' (with 'kind: elbo', say), found \(node.kindName)", at: node.location
            )
            return nil
        }
        guard
            let kindNode = entries.first(where: {
                if case .scalar(let key) = $0.key { key.text == "kind" } else { false }
            })?.value
        else {
            diagnostics.error(
                "'objective' is missing the required key 'kind' (one of: \(Objective.kinds.joined(separator: ", ")))",
                at: location)
            return nil
        }
        guard let kind = ScalarReader.scalar(kindNode, "an objective kind", &diagnostics) else { return nil }
        guard let variant = SpecSchema.variant(of: SpecSchema.objective, tag: kind.text) else {
            diagnostics.unknown("objective", kind.located, among: Objective.kinds)
            return nil
        }
        let context = "the \(kind.text) objective"
        guard let reader = MappingReader(node, object: variant, context: context, diagnostics: &diagnostics) else {
            return nil
        }
        _ = reader.value("kind")
        let objective: Objective?
        switch kind.text {
        case "elbo":
            let beta =
                reader.value("beta").flatMap { ScalarReader.number($0, "'beta'", &diagnostics) }
                ?? Located(1, at: location)
            if beta.value < 0 {
                diagnostics.error(
                    "'beta' must not be negative, found \(Expression.format(beta.value))", at: beta.location)
            }
            let samples = reader.integer("samples", "'samples'", &diagnostics) ?? Located(1, at: location)
            let kl =
                reader.value("kl").flatMap {
                    ScalarReader.enumeration($0, "KL estimator", &diagnostics) as Located<ELBOOptions.KL>?
                }
                ?? Located(.auto, at: location)
            objective = .elbo(ELBOOptions(beta: beta, samples: samples, kl: kl))
        case "gan":
            let discriminator = reader.value("discriminator").flatMap {
                NetworkCall.interpret($0, role: "'discriminator'", &diagnostics)
            }
            let loss =
                reader.value("generator_loss").flatMap {
                    ScalarReader.enumeration($0, "generator loss", &diagnostics) as Located<GANOptions.GeneratorLoss>?
                } ?? Located(.nonSaturating, at: location)
            objective = discriminator.map { .gan(GANOptions(discriminator: $0, generatorLoss: loss)) }
        case "aae":
            let discriminator = reader.value("discriminator").flatMap {
                NetworkCall.interpret($0, role: "'discriminator'", &diagnostics)
            }
            let labelDiscriminator = reader.value("label_discriminator").flatMap {
                NetworkCall.interpret($0, role: "'label_discriminator'", &diagnostics)
            }
            let supervised =
                reader.value("supervised").flatMap { ScalarReader.number($0, "'supervised'", &diagnostics) }
                ?? Located(0, at: location)
            if supervised.value < 0 {
                diagnostics.error(
                    "'supervised' is a weight and must not be negative, found \(Expression.format(supervised.value))",
                    at: supervised.location)
            }
            let adversarialWeight =
                reader.value("adversarial_weight").flatMap {
                    ScalarReader.number($0, "'adversarial_weight'", &diagnostics)
                } ?? Located(1, at: location)
            if !(adversarialWeight.value > 0) {
                diagnostics.error(
                    "'adversarial_weight' scales the encoder's adversarial loss and must be positive, found \(Expression.format(adversarialWeight.value))",
                    at: adversarialWeight.location)
            }
            objective = discriminator.map {
                .aae(
                    AAEOptions(
                        discriminator: $0, labelDiscriminator: labelDiscriminator, supervised: supervised,
                        adversarialWeight: adversarialWeight))
            }
        default:
            let adversary = reader.value("adversary").flatMap {
                NetworkCall.interpret($0, role: "'adversary'", &diagnostics)
            }
            let contrast =
                reader.value("adaptive_contrast").flatMap {
                    ScalarReader.boolean($0, "'adaptive_contrast'", &diagnostics)
                }
                ?? Located(false, at: location)
            let samples = reader.integer("samples", "'samples'", &diagnostics) ?? Located(8, at: location)
            objective = adversary.map { .avb(AVBOptions(adversary: $0, adaptiveContrast: contrast, samples: samples)) }
        }
        return objective.map { Located($0, at: kind.location) }
    }

    mutating func training(_ node: YAMLNode) -> TrainingSpec? {
        guard
            let reader = MappingReader(
                node, object: SpecSchema.training, context: "'training'", diagnostics: &diagnostics)
        else {
            return nil
        }
        func integer(_ key: String, default value: Int) -> Located<Int> {
            reader.integer(key, "'\(key)'", &diagnostics) ?? Located(value, at: reader.location)
        }
        let batch = integer("batch", default: 100)
        let seed = integer("seed", default: 0)
        let discriminatorSteps = integer("discriminator_steps", default: 1)
        let shards = integer("shards", default: 1)
        var length = Located(TrainingSpec.Length.epochs(10), at: reader.location)
        if let epochs = reader.integer("epochs", "'epochs'", &diagnostics) {
            length = Located(.epochs(epochs.value), at: epochs.location)
        }
        if let steps = reader.integer("steps", "'steps'", &diagnostics) {
            if reader.value("epochs") != nil {
                diagnostics.error("give either 'epochs' or 'steps', not both", at: steps.location)
            }
            length = Located(.steps(steps.value), at: steps.location)
        }
        var groups: [OptimizerGroup] = []
        let entries = named(reader.value("optimizers"), "optimizers", allowLists: true)
        if case .mapping(let written, _)? = reader.value("optimizers"), written.count != entries.count {
            gaps.optimizerNames = true
        }
        for (key, value) in entries {
            let names = Self.splitNames(key)
            guard
                let optimizer = ScalarReader.expression(value, "an optimizer", &diagnostics).flatMap({
                    Optimizer.interpret($0, &diagnostics)
                })
            else {
                gaps.optimizedNetworks.formUnion(names.map(\.value))
                continue
            }
            groups.append(OptimizerGroup(networks: names, optimizer: optimizer))
        }
        let sharing =
            reader.value("optimizer_state").flatMap {
                ScalarReader.enumeration($0, "optimizer state", &diagnostics) as Located<OptimizerStateSharing>?
            } ?? Located(.perPhase, at: reader.location)
        return TrainingSpec(
            batch: batch, length: length, seed: seed, discriminatorSteps: discriminatorSteps, shards: shards,
            optimizers: groups, optimizerState: sharing)
    }

    // MARK: Helpers

    /// Decodes each named entry of a section; names whose entries fail become gaps.
    mutating func declarations<Declaration>(
        _ node: YAMLNode?, _ section: String,
        _ decode: (inout Decoding, Located<String>, YAMLNode) -> Declaration?
    ) -> [Declaration] {
        var result: [Declaration] = []
        for (name, value) in named(node, section) {
            if let declaration = decode(&self, name.located, value) {
                result.append(declaration)
            } else {
                gaps.names.insert(name.text)
            }
        }
        return result
    }

    /// The entries of a mapping from user-chosen names to values, with each name checked.
    mutating func named(_ node: YAMLNode?, _ section: String, allowLists: Bool = false) -> [(YAMLScalar, YAMLNode)] {
        guard let node else { return [] }
        guard case .mapping(let entries, _) = node else {
            if case .scalar(let scalar) = node, scalar.text.isEmpty, scalar.style == .plain { return [] }
            diagnostics.error("expected a mapping of names for '\(section)', found \(node.kindName)", at: node.location)
            return []
        }
        var result: [(YAMLScalar, YAMLNode)] = []
        for entry in entries {
            guard case .scalar(let key) = entry.key else {
                diagnostics.error(
                    "names in '\(section)' are plain words, found \(entry.key.kindName)", at: entry.key.location)
                continue
            }
            let names = allowLists ? Self.splitNames(key) : [Located(key.text, at: key.location)]
            let bad = names.filter { !Self.isValidName($0.value) }
            for name in bad {
                diagnostics.error(
                    "'\(name.value)' is not a valid name (letters, digits and '_', not starting with a digit)",
                    at: name.location, length: max(1, name.value.count))
            }
            guard bad.isEmpty else {
                gaps.names.formUnion(names.map(\.value))
                continue
            }
            result.append((key, entry.value))
        }
        return result
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first,
            first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
    }

    /// `encoder, decoder` as two located names.
    static func splitNames(_ key: YAMLScalar) -> [Located<String>] {
        var names: [Located<String>] = []
        var offset = 0
        for part in key.text.split(separator: ",", omittingEmptySubsequences: false) {
            let leading = part.prefix { $0 == " " }.count
            let name = part.trimmingCharacters(in: " ")
            names.append(Located(name, at: key.location(atOffset: offset + leading)))
            offset += part.unicodeScalars.count + 1
        }
        return names
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

extension SpecSchema {
    /// The object a tagged value has for one tag, with the tag field itself included.
    public static func variant(of type: SchemaType, tag: String) -> SchemaObject? {
        guard case .tagged(let key, let variants) = type, let variant = variants.first(where: { $0.tag == tag }) else {
            return nil
        }
        var object = variant.object
        object.fields.insert(SchemaField(key, .enumeration([tag]), required: true, "The kind of objective."), at: 0)
        return object
    }
}
