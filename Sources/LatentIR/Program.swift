
/// One line of a tape: an op and the type of the value it defines.
public struct Instruction: Hashable, Sendable {
    public var op: Op
    public var type: Shape

    public init(_ op: Op, _ type: Shape) {
        self.op = op
        self.type = type
    }
}

/// How a parameter starts.
public enum ParameterInitializer: Hashable, Sendable, CustomStringConvertible {
    /// Uniform with variance 2 / (fan_in + fan_out).
    case glorot(fanIn: Int, fanOut: Int)
    /// Normal with variance 2 / fan_in.
    case he(fanIn: Int)
    case zeros
    case ones

    public var description: String {
        switch self {
        case .ones: "ones"
        case .glorot(let fanIn, let fanOut): "glorot(\(fanIn), \(fanOut))"
        case .he(let fanIn): "he(\(fanIn))"
        case .zeros: "zeros"
        }
    }
}

/// A tensor of one network's state: trained by gradients, or a running statistic.
public struct Parameter: Hashable, Sendable {
    /// `network.layer.weight`, `network.layer.bias`, `network.layer.running_mean`, ...
    public var name: String
    public var network: String
    public var shape: [Int]
    public var initializer: ParameterInitializer
    /// For a running statistic (a batch norm's mean and variance), how far each training
    /// pass moves it toward its batch value; it has no gradient. Nil for trained parameters.
    public var momentum: Double?

    public init(name: String, network: String, shape: [Int], initializer: ParameterInitializer, momentum: Double? = nil) {
        self.name = name
        self.network = network
        self.shape = shape
        self.initializer = initializer
        self.momentum = momentum
    }

    /// Whether gradients train it (false for running statistics).
    public var isTrained: Bool { momentum == nil }
}

/// Which training batches a phase reads (its inputs `x`, and `y` for labelled batches).
public enum BatchKind: String, Hashable, Sendable {
    /// Training batches of x.
    case data
    /// Batches of labelled examples: x and its one-hot label.
    case labelled
}

/// One optimisation step of an objective: a tape whose value `loss` is minimised with
/// respect to the parameters of the networks in `updates`, and nothing else.
public struct Phase: Hashable, Sendable {
    public var name: String
    public var updates: [String]
    public var reads: BatchKind
    public var instructions: [Instruction]
    public var loss: ValueID
    /// The gradient of the loss for each updated parameter (filled in by autodiff).
    public var gradients: [ParameterGradient]
    /// Where each value lives in the phase's arena (filled in by memory planning).
    public var plan: MemoryPlan?
    /// The input autodiff also differentiates the loss with respect to: inference phases that
    /// move their inputs, such as HMC over latents (nil for training phases).
    public var differentiatedInput: String?
    /// The gradient of the loss with respect to `differentiatedInput` (filled in by autodiff).
    public var inputGradient: ValueID?
    /// What the phase's result is called: `loss` for training phases; `codes`, `mean`,
    /// `log_weights`, ... for inference phases.
    public var outputName = "loss"
    /// Whether the phase reads every network it does not update as the training step began,
    /// not as earlier phases left it: AVB's Algorithm 1 takes the θ, φ and ψ gradients at
    /// one point, so ψ's posterior sample is the one θ, φ's gradient used.
    public var readsStepStart = false

    public init(name: String, updates: [String], reads: BatchKind, instructions: [Instruction], loss: ValueID) {
        self.name = name
        self.updates = updates
        self.reads = reads
        self.instructions = instructions
        self.loss = loss
        self.gradients = []
        self.plan = nil
    }

    /// The batch values of the running statistics its networks keep (a training phase's
    /// batch norms' means and variances), which the step moves the statistics toward.
    public var statistics: [ParameterGradient] = []

    /// The values the phase hands back: the loss, every gradient, the input's gradient and
    /// the batch statistics.
    public var outputs: [ValueID] {
        [loss] + gradients.map(\.value) + (inputGradient.map { [$0] } ?? []) + statistics.map(\.value)
    }

}

/// The gradient of a phase's loss with respect to one parameter.
public struct ParameterGradient: Hashable, Sendable {
    public var parameter: Int
    public var value: ValueID

    public init(parameter: Int, value: ValueID) {
        self.parameter = parameter
        self.value = value
    }
}

/// A compiled spec: the parameters, the phases and how training alternates them.
public struct Program: Hashable, Sendable {
    public var name: String
    public var parameters: [Parameter]
    public var phases: [Phase]
    /// Optimizer settings per network.
    public var optimizers: [String: UpdateRule]
    /// Whether the phases training a network share its optimizer state (one slot per
    /// parameter) instead of keeping their own (one per phase and parameter).
    public var sharesOptimizerState = false
    /// How many times each phase runs per training step, in order (k:1 schedules).
    public var schedule: [PhaseRepeat]
    /// The size of the symbolic sample dimension S (importance samples; 1 without IWAE).
    public var samples: Int
    /// The training step: every phase on the schedule with its optimizer updates, as one
    /// tape (assembled from the differentiated phases; nil before autodiff and for
    /// inference programs).
    public var step: Step?

    public init(
        name: String, parameters: [Parameter], phases: [Phase], optimizers: [String: UpdateRule],
        schedule: [PhaseRepeat], samples: Int = 1
    ) {
        self.name = name
        self.parameters = parameters
        self.phases = phases
        self.optimizers = optimizers
        self.schedule = schedule
        self.samples = samples
    }

    /// Applies a pass to every phase.
    public func mapPhases(_ transform: (Phase) -> Phase) -> Program {
        var copy = self
        copy.phases = phases.map(transform)
        return copy
    }
}

/// One entry of a schedule: run a phase `count` times.
public struct PhaseRepeat: Hashable, Sendable {
    public var phase: String
    public var count: Int

    public init(phase: String, count: Int) {
        self.phase = phase
        self.count = count
    }
}
