extension Phase {
    /// The phase with only the instructions `keep` selects, renumbered in order, with every
    /// operand, the loss and the gradients remapped. Kept instructions read only kept values.
    func keeping(_ keep: [Bool]) -> Phase {
        var renumbered = [ValueID?](repeating: nil, count: instructions.count)
        var result: [Instruction] = []
        for (index, instruction) in instructions.enumerated() where keep[index] {
            let op = instruction.op.mapOperands { renumbered[$0.index] ?? $0 }
            result.append(Instruction(op, instruction.type))
            renumbered[index] = ValueID(result.count - 1)
        }
        var phase = self
        phase.instructions = result
        phase.loss = renumbered[loss.index] ?? loss
        phase.gradients = gradients.map {
            ParameterGradient(parameter: $0.parameter, value: renumbered[$0.value.index] ?? $0.value)
        }
        phase.inputGradient = inputGradient.map { renumbered[$0.index] ?? $0 }
        phase.plan = nil
        return phase
    }

    /// How many times each value is read, counting the phase's outputs as reads.
    var useCounts: [Int] {
        var uses = [Int](repeating: 0, count: instructions.count)
        for instruction in instructions { for operand in instruction.op.operands { uses[operand.index] += 1 } }
        for output in outputs { uses[output.index] += 1 }
        return uses
    }
}

/// Removes every instruction that no output depends on.
public enum DeadCodeElimination {
    public static func run(_ phase: Phase) -> Phase {
        var live = [Bool](repeating: false, count: phase.instructions.count)
        for output in phase.outputs { live[output.index] = true }
        for index in stride(from: phase.instructions.count - 1, through: 0, by: -1) where live[index] {
            for operand in phase.instructions[index].op.operands { live[operand.index] = true }
        }
        return phase.keeping(live)
    }
}

/// Merges instructions that compute the same value (same op on the same operands); random
/// draws are never merged.
public enum CommonSubexpressionElimination {
    public static func run(_ phase: Phase) -> Phase {
        var seen: [Instruction: ValueID] = [:]
        var replacement = (0..<phase.instructions.count).map(ValueID.init)
        var keep = [Bool](repeating: true, count: phase.instructions.count)
        var rewritten = phase
        for (index, instruction) in phase.instructions.enumerated() {
            let op = instruction.op.mapOperands { replacement[$0.index] }
            let canonical = Instruction(op, instruction.type)
            rewritten.instructions[index] = canonical
            if !op.isRandom, let first = seen[canonical] {
                replacement[index] = first
                keep[index] = false
            } else {
                seen[canonical] = ValueID(index)
            }
        }
        rewritten.loss = replacement[phase.loss.index]
        rewritten.gradients = phase.gradients.map {
            ParameterGradient(parameter: $0.parameter, value: replacement[$0.value.index])
        }
        rewritten.inputGradient = phase.inputGradient.map { replacement[$0.index] }
        return rewritten.keeping(keep)
    }
}
