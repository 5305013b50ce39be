/// Moves each optimizer update of a step to right after the last instruction it must
/// follow: its gradient, the parameter value it overwrites, and every read of that value
/// (a view of its rows included). The update then runs while its gradient is fresh in
/// cache, the gradient's buffer dies at once (lower peak memory), and a phase that reads
/// the parameters as the step began (AVB's ψ) still reads them before they are overwritten.
public enum UpdateScheduling {
    public static func run(_ step: Step) -> Step {
        let instructions = step.instructions
        let count = instructions.count
        // The last instruction (not an update of it) reading each value, through row views.
        var lastRead = [Int](repeating: -1, count: count)
        for (index, instruction) in instructions.enumerated() {
            for operand in instruction.op.operands where operand != instruction.op.updatedParameter {
                lastRead[operand.index] = max(lastRead[operand.index], index)
                if case .parameterRows(let base, _, _) = instructions[operand.index].op {
                    lastRead[base.index] = max(lastRead[base.index], index)
                }
            }
        }
        // Each update's anchor: the instruction (not an update) it follows.
        var anchor = Array(0..<count)
        var following: [Int: [Int]] = [:]
        for (index, instruction) in instructions.enumerated() {
            guard let old = instruction.op.updatedParameter else { continue }
            let inputs = instruction.op.operands.map { instructions[$0.index].op.isUpdate ? anchor[$0.index] : $0.index }
            anchor[index] = max(inputs.max() ?? 0, lastRead[old.index])
            following[anchor[index], default: []].append(index)
        }
        var order: [Int] = []
        for index in 0..<count where !instructions[index].op.isUpdate {
            order.append(index)
            order += following[index] ?? []
        }
        return reordered(step, order)
    }

    /// For a step whose gradients are summed over shards before each update (data-parallel
    /// training): the updates as `run` schedules them, then held back until an instruction
    /// reads a value one of them defines (or the step ends), so they come in few groups, each
    /// one exchange of gradients between processes (a GAN's step: two).
    public static func grouped(_ step: Step) -> Step {
        let scheduled = run(step)
        var order: [Int] = []
        var pending: [Int] = []
        for (index, instruction) in scheduled.instructions.enumerated() {
            if instruction.op.isUpdate {
                pending.append(index)
                continue
            }
            if instruction.op.operands.contains(where: { pending.contains($0.index) }) {
                order += pending
                pending = []
            }
            order.append(index)
        }
        return reordered(scheduled, order + pending)
    }

    /// The step with its instructions in `order` (old indices), operands renamed; every
    /// operand must still come before its reader.
    static func reordered(_ step: Step, _ order: [Int]) -> Step {
        let instructions = step.instructions
        var position = [Int](repeating: 0, count: instructions.count)
        for (newIndex, oldIndex) in order.enumerated() { position[oldIndex] = newIndex }
        var result = step
        result.instructions = order.map { old in
            Instruction(instructions[old].op.mapOperands { ValueID(position[$0.index]) }, instructions[old].type)
        }
        for (newIndex, instruction) in result.instructions.enumerated() {
            precondition(
                instruction.op.operands.allSatisfy { $0.index < newIndex },
                "a phase reads a parameter both before and after one update of it")
        }
        result.origins = order.map { step.origins[$0] }
        result.plan = nil
        return result.renamingOutputs { ValueID(position[$0.index]) }
    }
}
