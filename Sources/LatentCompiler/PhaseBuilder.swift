import Foundation
import LatentIR
import LatentSpec

/// Builds one phase's forward tape: networks applied to named variables, encoders run in
/// the order the spec states them, likelihoods and priors written as IR ops.
struct PhaseBuilder {
    let context: LoweringContext
    let reads: BatchKind
    var tape = TapeBuilder()
    var parameterValues: [Int: ValueID] = [:]
    /// Values of named variables: x, noise inputs, latents.
    var variables: [String: ValueID] = [:]
    /// Mean, log-variance and standard noise of each Gaussian latent, for KL and log q.
    var gaussians: [String: (mean: ValueID, logVariance: ValueID, noise: ValueID)] = [:]
    /// The logits of each categorical latent.
    var logits: [String: ValueID] = [:]
    /// The leading dimensions of noise draws: `[B]`, or `[S, B]` to sample S times per example.
    var noiseRows: [Dim] = [.batch]
    /// The batch values of running statistics (batch norms in training), for every network.
    var statistics: [ParameterGradient] = []

    /// A phase reading a batch of x as its input `x` (unless `readsData` is false: a decode
    /// phase reads codes instead).
    init(_ context: LoweringContext, reads: BatchKind = .data, readsData: Bool = true) {
        self.context = context
        self.reads = reads
        if readsData {
            variables[DataSpec.variableName] = tape.emit(.input(InputName.data), type: .rows(context.spec.data.width))
        }
    }

    var spec: Spec { context.spec }

    /// Each parameter is read once per phase.
    mutating func parameter(_ index: Int) -> ValueID {
        if let value = parameterValues[index] { return value }
        let shape = Shape(context.parameters[index].shape.map { .fixed($0) })
        let value = tape.emit(.parameter(index), type: shape)
        parameterValues[index] = value
        return value
    }

    /// A network on values: inputs concatenated (those with fewer leading dimensions expanded,
    /// so `x` joins per-sample values) or, with a `join` layer, the first alone until the
    /// others join; shaped as an image if its first layer takes one, then each layer; an
    /// image output is flattened again, so values between networks are rows.
    mutating func apply(_ network: String, to inputs: [ValueID]) -> ValueID {
        let leading = inputs.map { Array(tape.type(of: $0).dims.dropLast()) }.max { $0.count < $1.count } ?? []
        let aligned = inputs.map { input -> ValueID in
            let type = tape.type(of: input)
            guard type.dims.count - 1 < leading.count else { return input }
            return tape.emit(.expand(input), type: Shape(leading + [type.dims.last ?? .fixed(1)]))
        }
        let shape = context.model.networkShapes[network]
        let joins = (shape?.joined ?? 0) > 0
        var h = aligned.count == 1 || joins ? aligned[0] : tape.emit(.concat(aligned))
        if let input = shape?.input, input.count > 1 {
            h = tape.emit(.reshape(h), type: Shape(leading + LoweredLayer.dims(input)))
        }
        for layer in context.layers[network] ?? [] {
            switch layer {
            case .dense(let weight, let bias, let activation):
                let (w, b) = (parameter(weight), bias.map { parameter($0) })
                h = finish(tape.emit(.matmul(h, w, transposeA: false, transposeB: false)), b, activation)
            case .conv(let weight, let bias, let geometry, let activation):
                h = tape.emit(.patches(h, geometry))
                h = tape.emit(.matmul(h, parameter(weight), transposeA: false, transposeB: false))
                h = finish(h, bias.map { parameter($0) }, activation)
            case .deconv(let weight, let bias, let geometry, let activation):
                h = tape.emit(.matmul(h, parameter(weight), transposeA: false, transposeB: false))
                h = tape.emit(.unpatches(h, geometry))
                h = finish(h, bias.map { parameter($0) }, activation)
            case .reshape(let dims):
                h = tape.emit(.reshape(h), type: Shape(leading + dims))
            case .join:
                h = tape.emit(.concat([h] + aligned.dropFirst()))
            case .batchNorm(let scale, let shift, let mean, let variance, let activation):
                h = normalize(h, scale: scale, shift: shift, mean: mean, variance: variance, activation)
            }
        }
        if let output = shape?.output, output.count > 1 {
            h = tape.emit(.reshape(h), type: Shape(leading + [.fixed(output.reduce(1, *))]))
        }
        return h
    }

    /// A batch norm over the last axis, then its activation: in training with the batch's
    /// statistics (recorded for the running ones) as one op that a piecewise-linear
    /// activation joins, otherwise with the running statistics.
    mutating func normalize(
        _ x: ValueID, scale: Int, shift: Int, mean: Int, variance: Int, _ activation: Activation
    ) -> ValueID {
        let channels = tape.type(of: x).width ?? 1
        let (gamma, beta) = (parameter(scale), parameter(shift))
        if context.training {
            let moments = tape.emit(.batchMoments(x))
            statistics += [
                ParameterGradient(parameter: mean, value: tape.emit(.slice(moments, offset: 0, width: channels))),
                ParameterGradient(
                    parameter: variance, value: tape.emit(.slice(moments, offset: channels, width: channels))),
            ]
            let joined = activation.function.flatMap { $0.negativeSlope == nil ? nil : $0 }
            let normalized = tape.emit(.batchNorm(x, moments: moments, scale: gamma, shift: beta, joined))
            return joined == nil ? activate(normalized, activation) : normalized
        }
        // 1 / sqrt(variance + ε) as exp(−log(variance + ε) / 2): one value per channel.
        let centered = tape.sub(x, parameter(mean))
        let shifted = tape.add(parameter(variance), tape.constant(BatchNorm.epsilon))
        let inverse = tape.unary(.exp, tape.scale(tape.unary(.log, shifted), by: -0.5))
        return activate(tape.add(tape.mul(centered, tape.mul(inverse, gamma)), beta), activation)
    }

    /// A layer's output: plus its bias (none before a batch norm), then its activation.
    mutating func finish(_ value: ValueID, _ bias: ValueID?, _ activation: Activation) -> ValueID {
        activate(bias.map { tape.add(value, $0) } ?? value, activation)
    }

    mutating func activate(_ value: ValueID, _ activation: Activation) -> ValueID {
        activation.function.map { tape.unary($0, value) } ?? value
    }

    /// A network applied to named variables, as a spec writes it: `encoder(x, eps)`.
    mutating func call(_ call: NetworkCall) -> ValueID {
        let inputs = call.inputs.map { variable($0.value) }
        return apply(call.network.value, to: inputs)
    }

    /// A named variable's value; features are computed and noise inputs drawn on first use.
    mutating func variable(_ name: String) -> ValueID {
        if let value = variables[name] { return value }
        if let feature = context.featureCalls[name] {
            let value = call(feature)
            variables[name] = value
            return value
        }
        if name == DataSpec.labelName, let classes = context.model.labelClasses {
            let value = tape.emit(.input(InputName.labels), type: .rows(classes))
            variables[name] = value
            return value
        }
        guard let noise = spec.noise.first(where: { $0.name.value == name }) else {
            preconditionFailure("the checker resolved '\(name)', but lowering has no value for it")
        }
        let value = draw(noise.prior ?? .normal(mean: [0], std: [1]), rows: noiseRows, width: noise.dimension.value)
        variables[name] = value
        return value
    }

    /// A draw from a distribution: standard normals as `random.normal`, anything else from its sampler.
    mutating func draw(_ distribution: Prior, rows: [Dim], width: Int) -> ValueID {
        let type = Shape(rows + [.fixed(width)])
        if distribution == .normal(mean: [0], std: [1]) { return tape.randomNormal(type) }
        return tape.sample(distribution, type)
    }

    /// A draw from a latent's prior, one row per example; a conditional prior reads the
    /// values of the latents it is conditioned on (drawn first: `latentsInPriorOrder`). With
    /// `byLabel` (one-hot rows), each row draws from the part of the prior its label picks.
    mutating func samplePrior(_ latent: VariableDeclaration, byLabel: ValueID? = nil) -> ValueID {
        guard let prior = latent.prior else {
            let (mean, logVariance) = conditionalPrior(latent.name.value)
            return reparametrised(mean: mean, logVariance: logVariance, noise: tape.randomNormal(tape.type(of: mean)))
        }
        return tape.sample(prior, .rows(latent.dimension.value), byLabel: byLabel)
    }

    /// log p(z) per example of a latent at its value: the density of its fixed prior, or of
    /// its conditional prior given the values of the latents it is conditioned on.
    mutating func logPrior(_ latent: VariableDeclaration) -> ValueID {
        let value = variable(latent.name.value)
        guard let prior = latent.prior else {
            let (mean, logVariance) = conditionalPrior(latent.name.value)
            let noise = tape.mul(tape.sub(value, mean), tape.unary(.exp, tape.scale(logVariance, by: -0.5)))
            return gaussianLogDensity(noise: noise, logVariance: logVariance, width: latent.dimension.value)
        }
        return tape.emit(.logPrior(prior, value))
    }

    /// The mean and log-variance of a latent's conditional prior: the model statement
    /// `h1 ~ gaussian(prior_net(h2))` applied to the current values of the latents it reads.
    mutating func conditionalPrior(_ name: String) -> (mean: ValueID, logVariance: ValueID) {
        guard let statement = spec.priorStatement(of: name),
            case .draw(let family) = statement.value, case .gaussian(let call, let std) = family.value
        else { preconditionFailure("the checker gives '\(name)' a Gaussian conditional prior") }
        return gaussianParameters(self.call(call), width: latentDimension(name), std: std)
    }

    /// mean + exp(logVariance / 2) * noise: a Gaussian draw from standard-normal noise.
    mutating func reparametrised(mean: ValueID, logVariance: ValueID, noise: ValueID) -> ValueID {
        tape.add(mean, tape.mul(tape.unary(.exp, tape.scale(logVariance, by: 0.5)), noise))
    }

    /// A Gaussian's mean and log-variance from its network's output: the two halves, or the
    /// whole output as the mean with a fixed standard deviation.
    mutating func gaussianParameters(_ output: ValueID, width: Int, std: Double?) -> (mean: ValueID, logVariance: ValueID) {
        guard let std else {
            return (tape.emit(.slice(output, offset: 0, width: width)), tape.emit(.slice(output, offset: width, width: width)))
        }
        return (output, tape.constant(2 * Foundation.log(std)))
    }

    /// Runs the inference model: every latent gets its value from its encoder (features are
    /// computed when an encoder first reads them). With
    /// `samples`, Gaussian latents draw S samples per example (`[S, B, d]`); with `means`,
    /// they take their mean instead of a draw.
    mutating func encode(samples: Bool = false, means: Bool = false) {
        for statement in context.latentStatements {
            let name = statement.target.value
            switch statement.value {
            case .map(let call):
                variables[name] = self.call(call)
            case .draw(let family):
                let output = call(family.value.call)
                switch family.value {
                case .gaussian(_, let std):
                    let width = latentDimension(name)
                    let (mean, logVariance) = gaussianParameters(output, width: width, std: std)
                    if means {
                        variables[name] = mean
                        continue
                    }
                    let noise = tape.randomNormal(Shape((samples ? [.samples, .batch] : [.batch]) + [.fixed(width)]))
                    variables[name] = reparametrised(mean: mean, logVariance: logVariance, noise: noise)
                    gaussians[name] = (mean, logVariance, noise)
                case .categorical:
                    logits[name] = output
                    variables[name] = tape.unary(.exp, tape.emit(.logSoftmax(output)))
                case .bernoulli:
                    preconditionFailure("the checker rejects Bernoulli latents")
                }
            }
        }
    }

    func latentDimension(_ name: String) -> Int {
        spec.latents.first { $0.name.value == name }?.dimension.value ?? 0
    }

    /// log p(x | latents) per example (`[..., 1]`), from the model statement.
    mutating func logLikelihood() -> ValueID {
        guard let statement = spec.dataStatement, case .draw(let family) = statement.value else {
            preconditionFailure("the checker requires a likelihood for this objective")
        }
        let x = variable(DataSpec.variableName)
        let output = call(family.value.call)
        switch family.value {
        case .bernoulli:
            // log p = sum x * l - softplus(l)
            return tape.sumLast(tape.sub(tape.mul(x, output), tape.unary(.softplus, output)))
        case .categorical:
            return tape.sumLast(tape.mul(x, tape.emit(.logSoftmax(output))))
        case .gaussian(_, let std):
            let width = spec.data.width
            let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)
            if let std {
                let squared = tape.sumLast(tape.unary(.square, tape.sub(x, output)))
                let constant = tape.constant(-Double(width) * (Foundation.log(std) + halfLogTwoPi))
                return tape.add(tape.scale(squared, by: -0.5 / (std * std)), constant)
            }
            let mean = tape.emit(.slice(output, offset: 0, width: width))
            let logVariance = tape.emit(.slice(output, offset: width, width: width))
            let precision = tape.unary(.exp, tape.unary(.neg, logVariance))
            let terms = tape.add(tape.mul(tape.unary(.square, tape.sub(x, mean)), precision), logVariance)
            return tape.add(tape.scale(tape.sumLast(terms), by: -0.5), tape.constant(-Double(width) * halfLogTwoPi))
        }
    }

    /// The model's x given the latents: the mean of its likelihood (probabilities for a
    /// Bernoulli or categorical), or the generator's output.
    mutating func modelMean() -> ValueID {
        guard let statement = spec.dataStatement else { preconditionFailure("the checker requires a model statement") }
        switch statement.value {
        case .map(let call):
            return self.call(call)
        case .draw(let family):
            let output = call(family.value.call)
            switch family.value {
            case .bernoulli: return tape.unary(.sigmoid, output)
            case .categorical: return tape.unary(.exp, tape.emit(.logSoftmax(output)))
            case .gaussian(_, let std):
                return std == nil ? tape.emit(.slice(output, offset: 0, width: spec.data.width)) : output
            }
        }
    }

    /// log q(z | x) of a Gaussian latent from its reparametrisation noise, per example.
    mutating func logPosterior(_ name: String) -> ValueID {
        guard let (_, logVariance, noise) = gaussians[name] else { preconditionFailure("'\(name)' is not Gaussian") }
        return gaussianLogDensity(noise: noise, logVariance: logVariance, width: latentDimension(name))
    }

    /// log N(z; mean, exp(logVariance)) per example, from the standardised z - mean over
    /// the standard deviation (`noise`).
    mutating func gaussianLogDensity(noise: ValueID, logVariance: ValueID, width: Int) -> ValueID {
        let terms = tape.add(tape.scale(tape.unary(.square, noise), by: -0.5), tape.scale(logVariance, by: -0.5))
        return tape.add(tape.sumLast(terms), tape.constant(-0.5 * Double(width) * Foundation.log(2 * Double.pi)))
    }

    /// mean(softplus(-logits)): the logistic loss of calling every row real.
    mutating func lossOfReal(_ logits: ValueID) -> ValueID {
        tape.meanAll(tape.unary(.softplus, tape.unary(.neg, logits)))
    }

    /// mean(softplus(logits)): the logistic loss of calling every row fake.
    mutating func lossOfFake(_ logits: ValueID) -> ValueID { tape.meanAll(tape.unary(.softplus, logits)) }

    /// The phase, minimising `loss` (or, for an inference phase, returning it as `output`).
    mutating func finish(_ name: String, updates: [String], loss: ValueID, output: String = "loss") -> Phase {
        var phase = Phase(name: name, updates: updates, reads: reads, instructions: tape.instructions, loss: loss)
        phase.outputName = output
        phase.statistics = statistics.filter { updates.contains(context.parameters[$0.parameter].network) }
        return phase
    }
}

extension Activation {
    /// The IR function of an activation (nil for identity).
    var function: UnaryFunction? {
        switch self {
        case .identity: nil
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .softplus: .softplus
        case .elu: .elu
        case .leakyRelu(let slope): .leakyRelu(slope: slope)
        }
    }
}
