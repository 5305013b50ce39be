import LatentSpec

/// Checks a decoded spec before anything runs: every name declared once and resolved,
/// shapes inferred through every network, the rules of the objective, and optimizers
/// covering every trained network exactly once. Reports every problem in one pass.
public enum Checker {
    /// Decodes and checks one spec file.
    /// Even a spec with decoding errors is checked as far as it could be read, so one run
    /// reports both kinds of mistakes.
    public static func check(_ file: SourceFile) -> (model: CheckedModel?, diagnostics: DiagnosticList) {
        var diagnostics = DiagnosticList()
        guard let (spec, gaps) = SpecDecoder.decodeRecovering(file, &diagnostics) else { return (nil, diagnostics) }
        let model = check(spec, gaps: gaps, &diagnostics)
        return (model, diagnostics)
    }

    /// Checks a decoded spec; `gaps` are the parts that could not be decoded.
    public static func check(_ spec: Spec, gaps: DecodingGaps = DecodingGaps(), _ diagnostics: inout DiagnosticList)
        -> CheckedModel?
    {
        var checking = Checking(spec: spec, gaps: gaps)
        checking.run()
        diagnostics.append(contentsOf: checking.diagnostics)
        guard !diagnostics.hasErrors else { return nil }
        return CheckedModel(
            spec: spec, networkShapes: checking.networkShapes, encoders: checking.encoders, features: checking.features,
            trainedNetworks: spec.networks.map(\.name.value).filter { checking.usedNetworks[$0] != nil },
            labelClasses: checking.usedVariables.contains(DataSpec.labelName) ? checking.labelClasses : nil)
    }
}

/// What a declared name is.
enum Declaration {
    case data
    /// The one-hot class label of the data's examples (`label`).
    case label
    case latent(VariableDeclaration)
    case noise(VariableDeclaration)
    case network(NetworkDeclaration)
    /// `h = trunk(x)` in the inference model with `h` not a latent: a shared intermediate
    /// that later encoders read (nil shape when its network is broken).
    case feature(shape: [Int]?, at: SourceLocation)
    /// A declaration that could not be decoded: references to it are not reported again.
    case broken

    var kindName: String {
        switch self {
        case .broken: "a declaration with errors"
        case .data: "the data"
        case .label: "the data's label"
        case .latent: "a latent"
        case .noise: "a noise input"
        case .network: "a network"
        case .feature: "a feature of the inference model"
        }
    }

    /// What a reserved name always means (nil for names a spec declares).
    var reservedMeaning: String? {
        switch self {
        case .data: "the data is always 'x'"
        case .label: "an example's one-hot class, which a discriminator may read"
        default: nil
        }
    }

    var location: SourceLocation? {
        switch self {
        case .data, .label, .broken: nil
        case .latent(let variable), .noise(let variable): variable.name.location
        case .network(let network): network.name.location
        case .feature(_, let location): location
        }
    }
}

/// Where a network is used: in the model, the inference model, or as an adversary.
enum NetworkRole: String {
    case model = "in the model"
    case inference = "in the inference model"
    case adversary = "as an adversary"
}

/// The state of one check.
struct Checking {
    let spec: Spec
    let gaps: DecodingGaps
    var diagnostics = DiagnosticList()
    var declarations: [String: Declaration] = [:]
    /// Declarations refused because their name was taken (already reported).
    var rejected: Set<SourceLocation> = []
    var networkShapes: [String: NetworkShape] = [:]
    /// The first use of each network: its role and where.
    var usedNetworks: [String: (role: NetworkRole, location: SourceLocation)] = [:]
    var usedVariables: Set<String> = []
    var encoders: [String: EncoderKind] = [:]
    /// The inference statement that defines each latent.
    var definitions: [String: Statement] = [:]
    /// The network call of each feature of the inference model, by name.
    var features: [String: NetworkCall] = [:]

    init(spec: Spec, gaps: DecodingGaps) {
        self.spec = spec
        self.gaps = gaps
    }

    mutating func run() {
        declare()
        checkPriors()
        checkInference()
        checkModel()
        checkObjective()
        checkTraining()
        reportUnused()
    }

    // MARK: Declarations

    mutating func declare() {
        declarations[DataSpec.variableName] = gaps.data ? .broken : .data
        declarations[DataSpec.labelName] = gaps.data ? .broken : .label
        for name in gaps.names { declarations[name] = .broken }
        let all: [(Located<String>, Declaration)] =
            spec.latents.map { ($0.name, .latent($0)) } + spec.noise.map { ($0.name, .noise($0)) }
            + spec.networks.map { ($0.name, .network($0)) }
        for (name, declaration) in all {
            if let earlier = declarations[name.value] {
                rejected.insert(name.location)
                let place = earlier.location.map { " at \($0)" } ?? earlier.reservedMeaning.map { " (\($0))" } ?? ""
                diagnostics.error(
                    "'\(name.value)' is already declared as \(earlier.kindName)\(place); every name is declared once",
                    at: name.location, length: name.value.count)
                continue
            }
            declarations[name.value] = declaration
        }
    }

    /// The latents whose declarations were accepted.
    var latents: [VariableDeclaration] { spec.latents.filter { !rejected.contains($0.name.location) } }

    /// Whether every latent and the inference model could be read; checks about the set of
    /// latents are skipped otherwise, since a missing one was already reported.
    var latentsComplete: Bool { gaps.names.isEmpty && !gaps.inference && rejected.isEmpty }

    /// Whether the spec decoded without gaps; "never used" warnings are skipped otherwise.
    var isComplete: Bool { gaps.isEmpty && rejected.isEmpty }

    /// The shape of one example of a variable, or nil for networks and unknown names.
    func shape(of name: String) -> [Int]? {
        switch declarations[name] {
        case .data: spec.data.shape.value
        case .label: labelClasses.map { [$0] }
        case .latent(let variable), .noise(let variable): [variable.dimension.value]
        case .feature(let shape, _): shape
        default: nil
        }
    }

    // MARK: Calls

    /// Resolves a network call: the network exists, its inputs are visible variables, its
    /// layers take what arrives, and every call gives the same input shape. The output must
    /// be a vector of `expectedOutput` values, or exactly `image` when one is given (the
    /// data's shape, for the model of x). Returns the output shape.
    /// With `strict` false (a statement already reported as misplaced), only names are checked.
    @discardableResult
    mutating func resolve(
        _ call: NetworkCall, role: NetworkRole, visible: Set<String>, expectedOutput: Int?, purpose: String,
        image: [Int]? = nil, strict: Bool = true
    ) -> [Int]? {
        var inputShapes: [(name: Located<String>, shape: [Int])] = []
        var inputsOK = true
        for input in call.inputs {
            usedVariables.insert(input.value)
            guard let shape = shape(of: input.value) else {
                inputsOK = false
                if case .broken = declarations[input.value] { continue }
                if case .label = declarations[input.value] {
                    diagnostics.error(
                        spec.data.source.value.hasLabels
                            ? "'label' needs the number of classes before the data is read; this source does not tell it (fashion-mnist, ring, grid and four_points do)"
                            : "'label' is the data's one-hot class label, and this data source has no labels",
                        at: input.location, length: input.value.count)
                    continue
                }
                if case .network = declarations[input.value] {
                    diagnostics.error(
                        "'\(input.value)' is a network, not a variable; networks take variables as inputs",
                        at: input.location, length: input.value.count)
                } else {
                    diagnostics.error(
                        "unknown variable '\(input.value)'", at: input.location, length: input.value.count,
                        suggestion: Suggestion.closest(to: input.value, in: visible))
                }
                continue
            }
            guard visible.contains(input.value) || !strict else {
                inputsOK = false
                diagnostics.error(
                    "'\(input.value)' cannot be an input here (\(purpose) can use: \(visible.sorted().joined(separator: ", ")))",
                    at: input.location, length: input.value.count)
                continue
            }
            inputShapes.append((input, shape))
        }
        let name = call.network
        guard case .network(let network) = declarations[name.value] else {
            if case .broken = declarations[name.value] {
                usedNetworks[name.value] = usedNetworks[name.value] ?? (role, name.location)
            } else if let declaration = declarations[name.value] {
                diagnostics.error(
                    "'\(name.value)' is \(declaration.kindName), not a network", at: name.location,
                    length: name.value.count)
            } else {
                diagnostics.error(
                    "unknown network '\(name.value)'", at: name.location, length: name.value.count,
                    suggestion: Suggestion.closest(to: name.value, in: spec.networks.map(\.name.value) + gaps.names))
            }
            return nil
        }
        if let first = usedNetworks[name.value] {
            if first.role != role, strict {
                diagnostics.error(
                    "network '\(name.value)' is already used \(first.role.rawValue) at \(first.location); each network plays one role",
                    at: name.location, length: name.value.count)
                return nil
            }
        } else {
            usedNetworks[name.value] = (role, name.location)
        }
        guard strict, inputsOK, let (input, joined) = networkInput(network, inputShapes) else { return nil }
        let shape: NetworkShape
        if let known = networkShapes[name.value] {
            guard known.input == input, known.joined == joined else {
                let given = LayerShapes.describe(input) + (joined > 0 ? " and \(joined) joined values" : "")
                let first = LayerShapes.describe(known.input) + (known.joined > 0 ? " and \(known.joined) joined values" : "")
                diagnostics.error(
                    "network '\(name.value)' gets \(given) here but \(first) where it is first used; every call must give the same shape",
                    at: name.location, length: name.value.count)
                return nil
            }
            shape = known
        } else {
            switch LayerShapes.infer(network.layers.map(\.value), input: input, joined: joined) {
            case .failure(let failure):
                diagnostics.error(
                    "in network '\(name.value)': \(failure.message)", at: network.layers[failure.layer].location)
                return nil
            case .success(let layers):
                var inferred = NetworkShape(input: input, joined: joined, layers: layers)
                inferred.largestValue = LayerShapes.largestValue(network.layers.map(\.value), inferred)
                shape = inferred
                networkShapes[name.value] = shape
            }
        }
        checkOutput(shape.output, of: network, expected: expectedOutput, image: image, purpose: purpose)
        return shape.output
    }

    /// What a network's first layer sees and how many values its `join` appends: with a
    /// join, the first input alone and the other inputs' widths; otherwise one input as it
    /// is, or several vectors concatenated. Nil (reported) when the inputs do not fit.
    mutating func networkInput(_ network: NetworkDeclaration, _ inputs: [(name: Located<String>, shape: [Int])])
        -> (input: [Int], joined: Int)?
    {
        let joins = network.layers.filter { $0.value.kind == .join }
        if joins.count > 1 {
            diagnostics.error("network '\(network.name.value)' has a second 'join'; it joins its other inputs once", at: joins[1].location)
            return nil
        }
        if let join = joins.first, inputs.count < 2 {
            diagnostics.error(
                "'join' appends a network's second and later inputs, but '\(network.name.value)' is called with one input here",
                at: join.location)
            return nil
        }
        let concatenated = joins.isEmpty ? inputs : Array(inputs.dropFirst())
        if concatenated.count > 1 || !joins.isEmpty, let image = concatenated.first(where: { $0.shape.count > 1 }) {
            diagnostics.error(
                "'\(image.name.value)' is \(LayerShapes.describe(image.shape)), but a network concatenates (or joins) vectors; only its first input may be an image, with a 'join' layer for the others",
                at: image.name.location, length: image.name.value.count)
            return nil
        }
        if let first = inputs.first, first.name.value == DataSpec.variableName, joins.count == 1 || inputs.count == 1 {
            guard checkChannels(first.shape, at: first.name.location) else { return nil }
        }
        let widths = concatenated.reduce(0) { $0 + $1.shape.reduce(1, *) }
        if joins.isEmpty { return (inputs.count == 1 ? inputs[0].shape : [widths], 0) }
        return (inputs[0].shape, widths)
    }

    /// Data images enter and leave networks with one channel: the data is stored channels
    /// first and the IR's images channels last, which agree only then.
    mutating func checkChannels(_ shape: [Int], at location: SourceLocation) -> Bool {
        guard shape.count == 3, shape[0] > 1 else { return true }
        diagnostics.error(
            "x is an image of \(shape[0]) channels; convolutional networks read and write one-channel data so far (several channels inside a network are fine)",
            at: location)
        return false
    }

    /// Reports an output that is not what its use needs.
    mutating func checkOutput(_ output: [Int], of network: NetworkDeclaration, expected: Int?, image: [Int]?, purpose: String) {
        guard let last = network.layers.last else { return }
        let name = network.name.value
        if let image, image.count > 1, output.count > 1 {
            if output == image {
                _ = checkChannels(image, at: last.location)
            } else {
                diagnostics.error(
                    "network '\(name)' ends in \(LayerShapes.describe(output)), but x is \(LayerShapes.text(image))",
                    at: last.location)
            }
            return
        }
        guard let expected else { return }
        if output.count > 1 {
            diagnostics.error(
                "network '\(name)' ends in \(LayerShapes.describe(output)), but \(purpose) needs a vector of \(expected) values; end it with 'flatten' and 'dense \(expected)'",
                at: last.location)
        } else if output[0] != expected {
            diagnostics.error(
                "network '\(name)' ends in \(output[0]) units, but \(purpose) needs \(expected); make its last layer 'dense \(expected)'",
                at: last.location)
        }
    }
}
