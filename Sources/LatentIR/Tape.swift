/// What every pass works on: a straight-line tape of instructions that hands some of its
/// values back. A phase (one loss and its gradients) and a training step (every phase of
/// the step with its optimizer updates) are both tapes, so dead-code elimination,
/// common-subexpression elimination, fusion and memory planning are written once.
public protocol Tape: Sendable {
    var instructions: [Instruction] { get set }
    /// The values the tape hands back; they, and every optimizer update, are kept alive.
    var outputs: [ValueID] { get }
    /// The same tape with every output renamed by `map` (after instructions moved).
    func renamingOutputs(_ map: (ValueID) -> ValueID) -> Self
    /// Where each value lives in the tape's arena (filled in by memory planning).
    var plan: MemoryPlan? { get set }
    /// The tape's per-instruction annotations, filtered as `kept` filters its instructions.
    func keepingAnnotations(_ kept: [Bool]) -> Self
}

extension Tape {
    public func type(of value: ValueID) -> Shape { instructions[value.index].type }

    /// The tape's named inputs with their types, in tape order.
    public var inputs: [(name: String, type: Shape)] {
        instructions.compactMap { instruction in
            if case .input(let name) = instruction.op { (name, instruction.type) } else { nil }
        }
    }

    /// The value of input `name`, if the tape reads it.
    public func input(_ name: String) -> ValueID? {
        instructions.firstIndex { $0.op == .input(name) }.map(ValueID.init)
    }

    /// The values that must survive to the end: the outputs and every update.
    var roots: [ValueID] {
        outputs + instructions.indices.filter { instructions[$0].op.isUpdate }.map(ValueID.init)
    }

    /// The tape with only the instructions `keep` selects, renumbered in order, with every
    /// operand and output remapped. Kept instructions read only kept values.
    func keeping(_ keep: [Bool]) -> Self {
        var renumbered = [ValueID?](repeating: nil, count: instructions.count)
        var result: [Instruction] = []
        for (index, instruction) in instructions.enumerated() where keep[index] {
            let op = instruction.op.mapOperands { renumbered[$0.index] ?? $0 }
            result.append(Instruction(op, instruction.type))
            renumbered[index] = ValueID(result.count - 1)
        }
        var tape = renamingOutputs { renumbered[$0.index] ?? $0 }.keepingAnnotations(keep)
        tape.instructions = result
        tape.plan = nil
        return tape
    }

    /// How many times each value is read, counting outputs and updates as reads.
    var useCounts: [Int] {
        var uses = [Int](repeating: 0, count: instructions.count)
        for instruction in instructions { for operand in instruction.op.operands { uses[operand.index] += 1 } }
        for root in roots { uses[root.index] += 1 }
        return uses
    }
}

extension Phase: Tape {
    public func keepingAnnotations(_ kept: [Bool]) -> Phase { self }

    public func renamingOutputs(_ map: (ValueID) -> ValueID) -> Phase {
        var phase = self
        phase.loss = map(loss)
        phase.gradients = gradients.map { ParameterGradient(parameter: $0.parameter, value: map($0.value)) }
        phase.inputGradient = inputGradient.map(map)
        phase.statistics = statistics.map { ParameterGradient(parameter: $0.parameter, value: map($0.value)) }
        return phase
    }
}
