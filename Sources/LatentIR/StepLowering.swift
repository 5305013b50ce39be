
/// Assembles a program's training step from its differentiated phases: every run of the
/// schedule in order, each followed by its optimizer updates.
///
/// Which batch and draws a run reads: each run of the schedule's first phase draws a new
/// batch; every later phase reads the last batch drawn (an AAE's reconstruction and
/// regularisation phases, AVB's θ, φ and ψ updates, all on one mini-batch, as their papers
/// say) and a labelled phase reads the step's labelled batch. The i-th run of a phase on a
/// batch draws the same random numbers as the i-th run of any other phase on it, so a GAN's
/// generator update sees the G(z) its discriminator update saw.
public enum StepLowering {
    public static func lower(_ program: Program) -> Step {
        var assembler = StepAssembler(program: program)
        for (entryIndex, entry) in program.schedule.enumerated() {
            guard let phaseIndex = program.phases.firstIndex(where: { $0.name == entry.phase }) else { continue }
            for repetition in 0..<entry.count {
                assembler.append(phaseIndex, repetition: repetition, newBatch: entryIndex == 0)
            }
        }
        return assembler.step
    }
}

/// The state of a step being assembled: the tape, each parameter's current value, the
/// batches drawn so far.
struct StepAssembler {
    let program: Program
    var tape = TapeBuilder()
    /// Each parameter's value as the step began (read once), and after its latest update.
    var initial: [Int: ValueID] = [:]
    var current: [Int: ValueID] = [:]
    var inputs: [String: ValueID] = [:]
    var batches: [StepBatch] = []
    var runs: [PhaseRun] = []
    var origins: [Int] = []
    /// The slot of each phase's n-th gradient (nil for a network without an optimizer).
    let slotOf: [[Int?]]
    let slots: [OptimizerSlot]
    /// How many runs of each phase each batch has had.
    var runsOnBatch: [Int: [Int: Int]] = [:]
    var lastDataBatch: Int?
    var labelledBatch: Int?
    /// The draw offsets one batch spans.
    let drawsPerBatch: Int

    init(program: Program) {
        self.program = program
        var slots: [OptimizerSlot] = []
        slotOf = program.phases.map { phase in
            phase.gradients.map { gradient in
                guard let optimizer = program.optimizers[program.parameters[gradient.parameter].network] else {
                    return nil
                }
                if program.sharesOptimizerState,
                    let shared = slots.firstIndex(where: { $0.parameter == gradient.parameter })
                {
                    return shared
                }
                slots.append(OptimizerSlot(phase: phase.name, parameter: gradient.parameter, optimizer: optimizer))
                return slots.count - 1
            }
        }
        self.slots = slots
        drawsPerBatch = max(64, program.schedule.map(\.count).max() ?? 1)
    }

    var step: Step {
        // The layout 4096 x step + 64 x batch + run of earlier versions (so a one-phase
        // model's numbers stay as they were), widened for long schedules.
        Step(
            instructions: tape.instructions, runs: runs, slots: slots, batches: batches, origins: origins,
            drawsPerStep: max(4096, drawsPerBatch * max(batches.count, 1)), plan: nil)
    }

    /// The batch run `phaseIndex` reads: a new one, the last one, or the labelled one.
    mutating func batch(for phase: Phase, newBatch: Bool) -> Int {
        if phase.reads == .labelled {
            if let labelledBatch { return labelledBatch }
            labelledBatch = addBatch(
                StepBatch(kind: .labelled, data: InputName.labelledData, labels: InputName.labelledLabels, draw: 0))
            return labelledBatch ?? 0
        }
        if !newBatch, let lastDataBatch { return lastDataBatch }
        let count = batches.filter { $0.kind == .data }.count
        lastDataBatch = addBatch(StepBatch(kind: .data, data: InputName.batch(count), labels: nil, draw: 0))
        return lastDataBatch ?? 0
    }

    mutating func addBatch(_ batch: StepBatch) -> Int {
        var batch = batch
        batch.draw = batches.count * drawsPerBatch
        batches.append(batch)
        return batches.count - 1
    }

    /// Appends one run of a phase and its updates.
    mutating func append(_ phaseIndex: Int, repetition: Int, newBatch: Bool) {
        let phase = program.phases[phaseIndex]
        let batchIndex = batch(for: phase, newBatch: newBatch)
        let batch = batches[batchIndex]
        let ordinal = runsOnBatch[batchIndex, default: [:]][phaseIndex, default: 0]
        runsOnBatch[batchIndex, default: [:]][phaseIndex] = ordinal + 1
        let draw = batch.draw + ordinal
        let run = runs.count
        let updated = Set(phase.updates)
        var values: [ValueID] = []
        for instruction in phase.instructions {
            let value: ValueID
            switch instruction.op {
            case .parameter(let p):
                let asBegun = phase.readsStepStart && !updated.contains(program.parameters[p].network)
                value = asBegun ? initialValue(p, instruction.type, run: run) : currentValue(p, instruction.type, run: run)
            case .input(let name):
                if name == InputName.labels, batches[batchIndex].labels == nil {
                    batches[batchIndex].labels = InputName.labels(ofBatch: batch.data)
                }
                let stepName = name == InputName.labels ? (batches[batchIndex].labels ?? name) : batch.data
                value = inputs[stepName] ?? emit(.input(stepName), instruction.type, run: run)
                inputs[stepName] = value
            case .randomNormal(let stream, _):
                value = emit(.randomNormal(stream: stream, draw: draw), instruction.type, run: run)
            case .samplePrior(let distribution, let stream, _, let byLabel):
                value = emit(
                    .samplePrior(distribution, stream: stream, draw: draw, byLabel: byLabel.map { values[$0.index] }),
                    instruction.type, run: run)
            default:
                value = emit(instruction.op.mapOperands { values[$0.index] }, instruction.type, run: run)
            }
            values.append(value)
        }
        runs.append(
            PhaseRun(
                phase: phase.name, phaseIndex: phaseIndex, repetition: repetition, batch: batchIndex, draw: draw,
                loss: values[phase.loss.index]))
        for (n, gradient) in phase.gradients.enumerated() {
            guard let slot = slotOf[phaseIndex][n] else { continue }
            let p = gradient.parameter
            let type = program.phases[phaseIndex].type(of: gradient.value)
            let old = currentValue(p, type, run: run)
            current[p] = emit(.update(old, gradient: values[gradient.value.index], slot: slot), type, run: run)
        }
        for statistic in phase.statistics {
            let p = statistic.parameter
            let type = phase.type(of: statistic.value)
            let old = currentValue(p, type, run: run)
            let momentum = program.parameters[p].momentum ?? 0
            current[p] = emit(.average(old, value: values[statistic.value.index], momentum: momentum), type, run: run)
        }
    }

    mutating func emit(_ op: Op, _ type: Shape, run: Int) -> ValueID {
        origins.append(run)
        return tape.emit(op, type: type)
    }

    mutating func initialValue(_ p: Int, _ type: Shape, run: Int) -> ValueID {
        if let value = initial[p] { return value }
        let value = emit(.parameter(p), type, run: run)
        initial[p] = value
        return value
    }

    mutating func currentValue(_ p: Int, _ type: Shape, run: Int) -> ValueID {
        current[p] ?? initialValue(p, type, run: run)
    }
}
