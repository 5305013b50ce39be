import LatentData

extension DataSource {
    static let names = [
        "fashion-mnist", "idx", "npy", "csv", "four_points", "ring", "grid", "swiss_roll", "linear_gaussian",
    ]

    /// Interprets `fashion-mnist`, `npy("x.npy", labels="y.npy")`, `ring(8, radius=2, std=0.02)`, ...
    static func interpret(
        _ expression: Located<Expression>, _ diagnostics: inout DiagnosticList
    ) -> Located<DataSource>? {
        guard
            let (callee, arguments) = expression.call(
                expecting: "a data source such as fashion-mnist or npy(\"x.npy\")", &diagnostics)
        else { return nil }
        let result: DataSource?
        switch callee.value {
        case "fashion-mnist":
            guard CallArguments(callee, arguments, parameters: [], &diagnostics) != nil else { return nil }
            result = .fashionMNIST
        case "idx", "npy", "csv":
            guard
                let args = CallArguments(callee, arguments, parameters: ["path", "labels"], required: 1, &diagnostics),
                let path = args.string("path", &diagnostics)
            else { return nil }
            let labels = args.string("labels", &diagnostics)
            if args["labels"] != nil, labels == nil { return nil }
            result = .file(DataFileFormat(rawValue: callee.value) ?? .npy, path: path, labels: labels)
        case "four_points":
            guard let args = CallArguments(callee, arguments, parameters: ["n"], &diagnostics),
                let count = args.integer("n", default: 10_000, minimum: 1, maximum: Sizes.maximumExamples, &diagnostics)
            else { return nil }
            result = .synthetic(.fourPoints(count: count))
        case "ring":
            guard
                let args = CallArguments(callee, arguments, parameters: ["modes", "radius", "std", "n"], &diagnostics),
                let modes = args.integer("modes", default: 8, minimum: 1, maximum: Sizes.maximumRepeats, &diagnostics),
                let radius = args.number("radius", default: 2, where: .positive, &diagnostics),
                let std = args.number("std", default: 0.02, where: .positive, &diagnostics),
                let count = args.integer("n", default: 10_000, minimum: 1, maximum: Sizes.maximumExamples, &diagnostics)
            else { return nil }
            result = .synthetic(.ring(modes: modes, radius: radius, std: std, count: count))
        case "grid":
            guard
                let args = CallArguments(callee, arguments, parameters: ["side", "spacing", "std", "n"], &diagnostics),
                let side = args.integer("side", default: 5, minimum: 1, maximum: 256, &diagnostics),
                let spacing = args.number("spacing", default: 2, where: .positive, &diagnostics),
                let std = args.number("std", default: 0.05, where: .positive, &diagnostics),
                let count = args.integer("n", default: 10_000, minimum: 1, maximum: Sizes.maximumExamples, &diagnostics)
            else { return nil }
            result = .synthetic(.grid(side: side, spacing: spacing, std: std, count: count))
        case "swiss_roll":
            guard let args = CallArguments(callee, arguments, parameters: ["noise", "n"], &diagnostics),
                let noise = args.number("noise", default: 0.1, where: .nonNegative, &diagnostics),
                let count = args.integer("n", default: 10_000, minimum: 1, maximum: Sizes.maximumExamples, &diagnostics)
            else { return nil }
            result = .synthetic(.swissRoll(noise: noise, count: count))
        case "linear_gaussian":
            guard
                let args = CallArguments(callee, arguments, parameters: ["dim", "latent", "noise", "n"], &diagnostics),
                let dimension = args.integer("dim", default: 8, minimum: 1, maximum: 10_000, &diagnostics),
                let latent = args.integer("latent", default: 2, minimum: 1, maximum: 10_000, &diagnostics),
                let noise = args.number("noise", default: 0.5, where: .positive, &diagnostics),
                let count = args.integer("n", default: 10_000, minimum: 1, maximum: Sizes.maximumExamples, &diagnostics)
            else { return nil }
            result = .synthetic(
                .linearGaussian(dimension: dimension, latentDimension: latent, noise: noise, count: count))
        default:
            diagnostics.unknown("data source", callee, among: names)
            return nil
        }
        return result.map { Located($0, at: expression.location) }
    }
}
