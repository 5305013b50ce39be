/// Removes every instruction that no output or update depends on.
public enum DeadCodeElimination {
    public static func run<T: Tape>(_ tape: T) -> T {
        var live = [Bool](repeating: false, count: tape.instructions.count)
        for root in tape.roots { live[root.index] = true }
        for index in stride(from: tape.instructions.count - 1, through: 0, by: -1) where live[index] {
            for operand in tape.instructions[index].op.operands { live[operand.index] = true }
        }
        return tape.keeping(live)
    }
}

/// Merges instructions that compute the same value: the same op on the same operands. A
/// parameter read after an update is the update's value, not the parameter's, so a value
/// is shared between phases of a step exactly when the parameters, inputs and draws it
/// depends on are the same; two draws are the same numbers when their stream and draw are
/// (a pure function of seed, step, stream and element). Updates are never merged.
public enum CommonSubexpressionElimination {
    public static func run<T: Tape>(_ tape: T) -> T {
        var seen: [Instruction: ValueID] = [:]
        var replacement = (0..<tape.instructions.count).map(ValueID.init)
        var keep = [Bool](repeating: true, count: tape.instructions.count)
        var rewritten = tape
        for (index, instruction) in tape.instructions.enumerated() {
            let op = instruction.op.mapOperands { replacement[$0.index] }
            let canonical = Instruction(op, instruction.type)
            rewritten.instructions[index] = canonical
            if !op.isUpdate, let first = seen[canonical] {
                replacement[index] = first
                keep[index] = false
            } else {
                seen[canonical] = ValueID(index)
            }
        }
        return rewritten.renamingOutputs { replacement[$0.index] }.keeping(keep)
    }
}
