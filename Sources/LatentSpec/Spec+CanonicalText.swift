/// The canonical text of each spec value, as the resolved spec prints it and as it reads back.
extension Distribution {
    public var canonicalText: String {
        switch self {
        case .normal(let mean, let std):
            "normal(\(vector(mean)), \(vector(std)))"
        case .mixture(let components):
            "mixture("
                + components.map { "normal(\(vector($0.mean)), \(vector($0.std)))" }.joined(separator: ", ")
                + ", weights=\(vector(components.map(\.weight), forceList: true)))"
        case .ringMixture(let components, let radius, let std):
            "mixture(\(components), radius=\(number(radius)), std=\(number(std)))"
        case .categorical(let probabilities):
            Set(probabilities).count == 1
                ? "categorical(\(probabilities.count))" : "categorical(\(vector(probabilities, forceList: true)))"
        case .uniform(let low, let high):
            "uniform(\(number(low)), \(number(high)))"
        case .swissRoll(let noise):
            "swiss_roll(noise=\(number(noise)))"
        }
    }
}

extension DataSource {
    public var canonicalText: String {
        switch self {
        case .fashionMNIST:
            "fashion-mnist"
        case .file(let format, let path, let labels):
            "\(format.rawValue)(\"\(path)\"" + (labels.map { ", labels=\"\($0)\"" } ?? "") + ")"
        case .synthetic(.fourPoints(let count)):
            "four_points(n=\(count))"
        case .synthetic(.ring(let modes, let radius, let std, let count)):
            "ring(\(modes), radius=\(number(radius)), std=\(number(std)), n=\(count))"
        case .synthetic(.grid(let side, let spacing, let std, let count)):
            "grid(\(side), spacing=\(number(spacing)), std=\(number(std)), n=\(count))"
        case .synthetic(.swissRoll(let noise, let count)):
            "swiss_roll(noise=\(number(noise)), n=\(count))"
        case .synthetic(.linearGaussian(let dimension, let latent, let noise, let count)):
            "linear_gaussian(dim=\(dimension), latent=\(latent), noise=\(number(noise)), n=\(count))"
        }
    }
}

extension Layer {
    public var canonicalText: String {
        let activated = " " + activation.canonicalText
        switch kind {
        case .dense(let units): return "dense \(units)" + activated
        case .conv(let c), .deconv(let c):
            return "\(kind.name) \(c.filters) \(c.kernel)x\(c.kernel) stride \(c.stride) pad \(c.padding)"
                + (kind == .deconv(c) ? " output_pad \(c.outputPadding)" : "") + activated
        case .flatten: return "flatten"
        case .join: return "join"
        case .reshape(let shape): return "reshape [" + shape.map(String.init).joined(separator: ", ") + "]"
        case .batchNorm(let momentum): return "batch_norm momentum \(number(momentum))" + activated
        }
    }
}

extension Activation {
    public var canonicalText: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .softplus: "softplus"
        case .elu: "elu"
        case .leakyRelu(let slope): "leaky_relu(\(number(slope)))"
        }
    }
}

extension NetworkCall {
    public var canonicalText: String { "\(network.value)(\(inputs.map(\.value).joined(separator: ", ")))" }
}

extension Statement {
    public var canonicalText: String {
        switch value {
        case .map(let call):
            return "\(target.value) = \(call.canonicalText)"
        case .draw(let family):
            let distribution: String
            switch family.value {
            case .gaussian(let call, let std):
                distribution = "gaussian(\(call.canonicalText)" + (std.map { ", std=\(number($0))" } ?? "") + ")"
            case .bernoulli(let call):
                distribution = "bernoulli(logits=\(call.canonicalText))"
            case .categorical(let call):
                distribution = "categorical(logits=\(call.canonicalText))"
            }
            return "\(target.value) ~ \(distribution)"
        }
    }
}

extension Optimizer {
    public var canonicalText: String {
        switch self {
        case .sgd(let lr): "sgd(lr=\(number(lr)))"
        case .momentum(let lr, let momentum): "momentum(lr=\(number(lr)), momentum=\(number(momentum)))"
        case .adam(let lr, let beta1, let beta2, let eps):
            "adam(lr=\(number(lr)), beta1=\(number(beta1)), beta2=\(number(beta2)), eps=\(number(eps)))"
        case .rmsprop(let lr, let decay, let eps):
            "rmsprop(lr=\(number(lr)), decay=\(number(decay)), eps=\(number(eps)))"
        }
    }
}

private func number(_ value: Double) -> String { Expression.format(value) }

private func vector(_ values: [Double], forceList: Bool = false) -> String {
    values.count == 1 && !forceList ? number(values[0]) : "[" + values.map(number).joined(separator: ", ") + "]"
}
