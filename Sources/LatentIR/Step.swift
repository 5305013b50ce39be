
/// One training step as a single tape: each phase's forward and backward pass in schedule
/// order (k:1 schedules unrolled), each followed by its optimizer updates as `update`
/// instructions. A parameter read after an update reads the update's value, so passes see
/// which values stay valid between phases and share them (G(z) between a GAN's two
/// updates, an encoder's pass between an AAE's regularisation phases).
public struct Step: Tape, Hashable {
    public var instructions: [Instruction]
    /// Each run of a phase, in schedule order.
    public var runs: [PhaseRun]
    /// The optimizer state the updates use: one slot per phase and parameter it updates.
    public var slots: [OptimizerSlot]
    /// The batches a step reads, in the order the trainer draws them.
    public var batches: [StepBatch]
    /// The run of each instruction: the first phase run that computes it.
    public var origins: [Int]
    /// How far apart consecutive steps' random draws are: a draw of step s with draw offset
    /// d uses counter s × drawsPerStep + d.
    public var drawsPerStep: Int
    public var plan: MemoryPlan?

    public var outputs: [ValueID] { runs.map(\.loss) }

    public func renamingOutputs(_ map: (ValueID) -> ValueID) -> Step {
        var step = self
        for index in step.runs.indices { step.runs[index].loss = map(runs[index].loss) }
        return step
    }

    public func keepingAnnotations(_ kept: [Bool]) -> Step {
        var step = self
        step.origins = zip(origins, kept).compactMap { $1 ? $0 : nil }
        return step
    }
}

/// One run of a phase within a step.
public struct PhaseRun: Hashable, Sendable {
    public var phase: String
    /// The phase's index in `Program.phases`.
    public var phaseIndex: Int
    /// Which repetition of the phase this is (k:1 schedules), from 0.
    public var repetition: Int
    /// The batch it reads (an index into `Step.batches`); phases that read no data key
    /// their draws to it too.
    public var batch: Int
    /// The offset of its random draws within the step.
    public var draw: Int
    public var loss: ValueID
}

/// The optimizer state of one parameter as one phase updates it (as the papers' code keeps
/// one optimizer per update: an AAE's encoder gets reconstruction gradients of hundreds of
/// nats and adversarial ones of about one, and shared moments would shrink the latter).
public struct OptimizerSlot: Hashable, Sendable {
    public var phase: String
    public var parameter: Int
    public var optimizer: UpdateRule
}

/// A batch a step reads: its kind, and the step input holding each of its parts.
public struct StepBatch: Hashable, Sendable {
    public var kind: BatchKind
    /// The step's input for the batch's x (`x`, `x.2`, ...; `labelled.x`), and its one-hot
    /// labels for a labelled batch (`labelled.y`) or a batch a phase reads labels of (`y`, ...).
    public var data: String
    public var labels: String?
    /// Offset of the batch's draws (data augmentation such as binarisation) in the step.
    public var draw: Int
}
