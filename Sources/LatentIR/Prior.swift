/// A latent's prior as the IR draws from it and evaluates its density (`Prior+Math`); the
/// compiler converts each spec distribution into one. It prints as specs write it.
public enum Prior: Hashable, Sendable, CustomStringConvertible {
    /// A diagonal normal; one-element vectors are broadcast over all dimensions.
    case normal(mean: [Double], std: [Double])
    /// A weighted mixture of diagonal normals.
    case mixture([Component])
    /// `components` equally weighted isotropic normals evenly spaced on a circle (2-D).
    case ringMixture(components: Int, radius: Double, std: Double)
    /// A one-hot categorical over `probabilities.count` classes.
    case categorical(probabilities: [Double])
    /// Independent uniforms on [low, high].
    case uniform(low: Double, high: Double)
    /// A 2-D swiss roll: samples only, no density.
    case swissRoll(noise: Double)

    /// One component of a Gaussian mixture.
    public struct Component: Hashable, Sendable {
        public var weight: Double
        public var mean: [Double]
        public var std: [Double]

        public init(weight: Double, mean: [Double], std: [Double]) {
            self.weight = weight
            self.mean = mean
            self.std = std
        }
    }

    /// Whether the log-density can be evaluated.
    public var hasDensity: Bool { if case .swissRoll = self { false } else { true } }

    /// Whether the prior divides into `parts` parts that together make it, one per class of a
    /// label (AAE section 2.3): a mixture of that many components, or a swiss roll (its arc
    /// cut into equal stretches).
    public func splits(into parts: Int) -> Bool {
        switch self {
        case .mixture(let components): components.count == parts
        case .ringMixture(let components, _, _): components == parts
        case .swissRoll: parts >= 1
        default: false
        }
    }

    /// Whether draws are one-hot class codes.
    public var isCategorical: Bool { if case .categorical = self { true } else { false } }

    public var description: String {
        func vector(_ values: [Double], list: Bool = false) -> String {
            values.count == 1 && !list
                ? ProgramPrinter.number(values[0]) : "[" + values.map(ProgramPrinter.number).joined(separator: ", ") + "]"
        }
        let number = ProgramPrinter.number
        switch self {
        case .normal(let mean, let std): return "normal(\(vector(mean)), \(vector(std)))"
        case .mixture(let components):
            let normals = components.map { Prior.normal(mean: $0.mean, std: $0.std).description }
            return "mixture(" + normals.joined(separator: ", ") + ", weights=\(vector(components.map(\.weight), list: true)))"
        case .ringMixture(let components, let radius, let std):
            return "mixture(\(components), radius=\(number(radius)), std=\(number(std)))"
        case .categorical(let probabilities):
            return Set(probabilities).count == 1
                ? "categorical(\(probabilities.count))" : "categorical(\(vector(probabilities, list: true)))"
        case .uniform(let low, let high): return "uniform(\(number(low)), \(number(high)))"
        case .swissRoll(let noise): return "swiss_roll(noise=\(number(noise)))"
        }
    }
}
