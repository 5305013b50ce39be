import LatentIR

/// Runs a planned phase with every arena value stored at its planned offset in one shared
/// buffer, as the executor will: if the plan let two live values share bytes, a later
/// write would clobber an earlier value and the outputs would change. Gathered patches are
/// taken from their image as each reader runs, as the executor's products gather them.
public enum ArenaInterpreter {
    public static func outputs(of phase: Phase, interpreter: ReferenceInterpreter) -> [Tensor]? {
        guard let plan = phase.plan else { return nil }
        var arena = [Double](repeating: .nan, count: plan.arenaBytes / 4 + 1)
        var external: [Int: Tensor] = [:]
        func read(_ value: ValueID) -> Tensor {
            // Gathered patches are read from their image's bytes when a product reads them.
            if case .gatheredPatches = phase.instructions[value.index].op {
                return interpreter.evaluate(phase.instructions[value.index], index: value.index, value: read)
            }
            if let tensor = external[value.index] { return tensor }
            let shape = phase.instructions[value.index].type.sizes(batch: plan.batch, samples: plan.samples)
            let start = (plan.offsets[value.index] ?? 0) / 4
            return Tensor(shape: shape, values: Array(arena[start..<(start + shape.reduce(1, *))]))
        }
        for (index, instruction) in phase.instructions.enumerated() {
            let tensor = interpreter.evaluate(instruction, index: index, value: read)
            if let offset = plan.offsets[index] {
                arena.replaceSubrange((offset / 4)..<(offset / 4 + tensor.count), with: tensor.values)
            } else {
                external[index] = tensor
            }
        }
        return phase.outputs.map(read)
    }
}
