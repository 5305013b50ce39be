import LatentData

extension Layer {
    static let kinds = ["dense", "conv", "deconv", "flatten", "join", "reshape", "batch_norm"]

    /// Interprets a layer shorthand: `dense 512 relu`, `conv 64 4x4 stride 2 pad 1 relu`,
    /// `deconv 1 4x4 stride 2 pad 1`, `flatten`, `reshape [64, 7, 7]`, `batch_norm relu`.
    static func interpret(_ scalar: YAMLScalar, _ diagnostics: inout DiagnosticList) -> Located<Layer>? {
        let syntax: LayerSyntax
        do {
            syntax = try ExpressionParser.layer(scalar)
        } catch {
            diagnostics.error(error.message, at: error.location, length: error.length)
            return nil
        }
        var reader = LayerReader(syntax: syntax, diagnostics: diagnostics)
        let kind = reader.kind()
        var activation = Activation.identity
        if let written = syntax.activation {
            if kind == .flatten || kind == .join {
                reader.diagnostics.error("'\(syntax.kind.value)' takes no activation", at: written.location)
            } else if case .reshape = kind {
                reader.diagnostics.error("'reshape' takes no activation", at: written.location)
            } else if let interpreted = Activation.interpret(written, &reader.diagnostics) {
                activation = interpreted
            } else {
                reader.failed = true
            }
        }
        diagnostics = reader.diagnostics
        guard let kind, !reader.failed else { return nil }
        return Located(Layer(kind, activation: activation), at: scalar.contentLocation)
    }
}

extension LayerArgument: CustomStringConvertible {
    /// The argument as written: `64.5`, `4x4`, `[64, 7, 7]`.
    public var description: String {
        switch self {
        case .number(let value): Expression.format(value)
        case .size(let rows, let columns): "\(rows)x\(columns)"
        case .list(let items): Expression.list(items).description
        }
    }
}

/// Reads one layer's arguments and options for its kind, reporting what is missing,
/// extra or out of range.
struct LayerReader {
    let syntax: LayerSyntax
    var diagnostics: DiagnosticList
    var failed = false

    var name: String { syntax.kind.value }

    mutating func kind() -> LayerKind? {
        switch name {
        case "dense":
            guard let units = wholeNumber(0, "a number of units, as in 'dense 512 relu'", maximum: Sizes.maximumUnits)
            else { return nil }
            return finish(arguments: 1, options: []) ? .dense(units: units) : nil
        case "conv", "deconv":
            let example = "'\(name) 64 4x4 stride 2 pad 1'"
            guard let filters = wholeNumber(0, "a number of filters, as in \(example)", maximum: Sizes.maximumUnits),
                let kernel = kernelSize(1, example)
            else { return nil }
            let transposed = name == "deconv"
            guard let stride = option("stride", default: 1, minimum: 1),
                let padding = option("pad", default: 0, minimum: 0),
                let outputPadding = transposed ? option("output_pad", default: 0, minimum: 0) : 0,
                finish(arguments: 2, options: transposed ? ["stride", "pad", "output_pad"] : ["stride", "pad"])
            else { return nil }
            let convolution = Convolution(
                filters: filters, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding)
            return transposed ? .deconv(convolution) : .conv(convolution)
        case "flatten":
            return finish(arguments: 0, options: []) ? .flatten : nil
        case "join":
            return finish(arguments: 0, options: []) ? .join : nil
        case "reshape":
            guard let shape = imageShape() else { return nil }
            return finish(arguments: 1, options: []) ? .reshape(shape) : nil
        case "batch_norm":
            let momentum = syntax.options.first { $0.keyword.value == "momentum" }
            if let momentum, !(momentum.value.value > 0 && momentum.value.value <= 1) {
                error("the momentum of batch_norm lies in (0, 1], found \(Expression.format(momentum.value.value))", at: momentum.value.location)
                return nil
            }
            return finish(arguments: 0, options: ["momentum"]) ? .batchNorm(momentum: momentum?.value.value ?? 0.1) : nil
        default:
            diagnostics.error(
                "unknown layer '\(name)' (layers: \(Layer.kinds.joined(separator: ", ")))", at: syntax.kind.location,
                length: name.count, suggestion: Suggestion.closest(to: name, in: Layer.kinds))
            failed = true
            return nil
        }
    }

    mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.error(message, at: location)
        failed = true
    }

    /// Argument `index`, a whole number from 1 to `maximum`.
    mutating func wholeNumber(_ index: Int, _ expected: String, maximum: Int) -> Int? {
        guard index < syntax.arguments.count else {
            error("'\(name)' needs \(expected)", at: syntax.kind.location)
            return nil
        }
        let argument = syntax.arguments[index]
        guard case .number(let value) = argument.value, value == value.rounded(), value >= 1, value <= Double(maximum)
        else {
            error(
                "'\(name)' needs \(expected): a whole number from 1 to \(maximum), found \(argument.value)",
                at: argument.location)
            return nil
        }
        return Int(value)
    }

    /// Argument `index`, a square kernel size `KxK`.
    mutating func kernelSize(_ index: Int, _ example: String) -> Int? {
        guard index < syntax.arguments.count, case .size(let rows, let columns) = syntax.arguments[index].value else {
            error(
                "'\(name)' needs a kernel size after its filters, as in \(example)",
                at: index < syntax.arguments.count ? syntax.arguments[index].location : syntax.kind.location)
            return nil
        }
        guard rows == columns, rows >= 1, rows <= Sizes.maximumKernel else {
            error(
                "kernels are square, from 1x1 to \(Sizes.maximumKernel)x\(Sizes.maximumKernel), found \(rows)x\(columns)",
                at: syntax.arguments[index].location)
            return nil
        }
        return rows
    }

    /// A whole-number option, or its default when not written.
    mutating func option(_ keyword: String, default value: Int, minimum: Int) -> Int? {
        guard let written = syntax.options.first(where: { $0.keyword.value == keyword }) else { return value }
        let number = written.value.value
        guard number == number.rounded(), number >= Double(minimum), number <= Double(Sizes.maximumKernel) else {
            error(
                "'\(keyword)' is a whole number from \(minimum) to \(Sizes.maximumKernel), found \(Expression.format(number))",
                at: written.value.location)
            return nil
        }
        return Int(number)
    }

    /// The shape of `reshape`: a list of whole numbers `[C, H, W]`.
    mutating func imageShape() -> [Int]? {
        guard let argument = syntax.arguments.first, case .list(let items) = argument.value else {
            error("'reshape' needs a shape, as in 'reshape [64, 7, 7]'", at: syntax.kind.location)
            return nil
        }
        let dims = items.compactMap { item -> Int? in
            guard case .number(let value) = item.value, value == value.rounded(), value >= 1,
                value <= Double(Sizes.maximumWidth)
            else { return nil }
            return Int(value)
        }
        guard dims.count == items.count, [1, 3].contains(dims.count),
            (Sizes.product(dims) ?? .max) <= Sizes.maximumWidth
        else {
            error(
                "'reshape' takes a vector [N] or an image [C, H, W] of whole numbers, at most \(Sizes.maximumWidth) values",
                at: argument.location)
            return nil
        }
        return dims
    }

    /// Reports arguments beyond the first `arguments` and options the kind does not take.
    mutating func finish(arguments: Int, options: Set<String>) -> Bool {
        for extra in syntax.arguments.dropFirst(arguments) {
            error("'\(name)' takes \(arguments == 0 ? "no arguments" : "\(arguments) argument\(arguments == 1 ? "" : "s")"); remove this one", at: extra.location)
        }
        var seen: Set<String> = []
        for option in syntax.options {
            if !options.contains(option.keyword.value) {
                error("'\(name)' takes no '\(option.keyword.value)' option", at: option.keyword.location)
            } else if !seen.insert(option.keyword.value).inserted {
                error("'\(option.keyword.value)' is given twice", at: option.keyword.location)
            }
        }
        return !failed
    }
}

extension Activation {
    static func interpret(_ expression: Located<Expression>, _ diagnostics: inout DiagnosticList) -> Activation? {
        guard let (callee, arguments) = expression.call(expecting: "an activation such as relu", &diagnostics) else {
            return nil
        }
        if callee.value == "leaky_relu" {
            guard let args = CallArguments(callee, arguments, parameters: ["slope"], &diagnostics),
                let slope = args.number("slope", default: 0.2, where: .unitInterval, &diagnostics)
            else { return nil }
            return .leakyRelu(slope: slope)
        }
        let plain: [String: Activation] = [
            "identity": .identity, "relu": .relu, "tanh": .tanh, "sigmoid": .sigmoid, "softplus": .softplus,
            "elu": .elu,
        ]
        guard let activation = plain[callee.value] else {
            diagnostics.unknown("activation", callee, among: names)
            return nil
        }
        guard CallArguments(callee, arguments, parameters: [], &diagnostics) != nil else { return nil }
        return activation
    }
}
