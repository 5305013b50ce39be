/// Prints a program as stable text: one instruction per line, every value typed, values
/// numbered in order. Every compiler stage prints through here, so golden files diff cleanly.
public enum ProgramPrinter {
    public static func print(_ program: Program) -> String {
        var lines = ["program \(program.name)", "parameters"]
        for (index, parameter) in program.parameters.enumerated() {
            let shape = "f32[" + parameter.shape.map(String.init).joined(separator: ",") + "]"
            lines.append("  \(pad("\(index) \(parameter.name)", 30)) \(pad(shape, 14)) \(parameter.initializer)")
        }
        lines.append(program.sharesOptimizerState ? "optimizers (state shared by the phases)" : "optimizers")
        for network in program.optimizers.keys.sorted() {
            lines.append("  \(network): \(program.optimizers[network].map { $0.description } ?? "none")")
        }
        lines.append("schedule " + program.schedule.map { "\($0.phase) x\($0.count)" }.joined(separator: ", "))
        if program.samples > 1 { lines.append("samples S = \(program.samples)") }
        if let step = program.step {
            lines.append("")
            lines += print(step, parameters: program.parameters)
        } else {
            for phase in program.phases {
                lines.append("")
                lines += print(phase, parameters: program.parameters)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A training step: its optimizer slots and batches, then the tape with a heading where
    /// each phase run begins, naming the values it reuses from earlier runs.
    public static func print(_ step: Step, parameters: [Parameter]) -> [String] {
        var lines = ["step  (draws: counter = step x \(step.drawsPerStep) + offset)"]
        lines.append("  slots")
        for (index, slot) in step.slots.enumerated() {
            lines.append("    \(index) \(pad(slot.phase, 28)) \(pad(parameters[slot.parameter].name, 24)) \(slot.optimizer.description)")
        }
        for batch in step.batches {
            let parts = [batch.data] + (batch.labels.map { [$0] } ?? [])
            lines.append("  batch \(batch.kind.rawValue): \(parts.joined(separator: ", "))  draws from \(batch.draw)")
        }
        lines += header(inputs: step.inputs, plan: step.plan)
        var run = -1
        for (index, instruction) in step.instructions.enumerated() {
            if step.origins[index] != run {
                run = step.origins[index]
                lines.append(runHeading(step, run: run))
            }
            lines.append(line(index, instruction, plan: step.plan, parameters: parameters))
        }
        for run in step.runs {
            lines.append("  loss \(run.phase)\(run.repetition > 0 ? " #\(run.repetition + 1)" : "") = \(run.loss)")
        }
        return lines
    }

    /// `  -- run 2: generator on batch 0, draws +0; reuses %4, %9`
    static func runHeading(_ step: Step, run: Int) -> String {
        let phaseRun = step.runs[run]
        var reused: [ValueID] = []
        for (index, instruction) in step.instructions.enumerated() where step.origins[index] == run {
            for operand in instruction.op.operands where step.origins[operand.index] < run {
                let op = step.instructions[operand.index].op
                if case .input = op { continue }
                if case .constant = op { continue }
                if op.isParameterValue || reused.contains(operand) { continue }
                reused.append(operand)
            }
        }
        let repetition = phaseRun.repetition > 0 ? " #\(phaseRun.repetition + 1)" : ""
        let reuse = reused.isEmpty ? "" : "; reuses " + reused.sorted().map(\.description).joined(separator: ", ")
        return "  -- run \(run + 1): \(phaseRun.phase)\(repetition) on batch \(phaseRun.batch), draws +\(phaseRun.draw)\(reuse)"
    }

    static func header(inputs: [(name: String, type: Shape)], plan: MemoryPlan?) -> [String] {
        let named = inputs.map { "\($0.name): \($0.type)" }
        var lines = ["  inputs " + (named.isEmpty ? "(none)" : named.joined(separator: ", "))]
        if let plan {
            lines.append(
                "  arena \(plan.arenaBytes) bytes for B=\(plan.batch)\(plan.samples > 1 ? ", S=\(plan.samples)" : "")"
                    + " (\(plan.unplannedBytes) bytes without reuse)")
        }
        return lines
    }

    static func line(_ index: Int, _ instruction: Instruction, plan: MemoryPlan?, parameters: [Parameter]) -> String {
        let text = "  \(ValueID(index)) = \(describe(instruction, parameters: parameters))"
        var line = "\(pad(text, 56)) : \(instruction.type)"
        if let plan {
            let elsewhere = if case .gatheredPatches = instruction.op { "gathered" } else { "extern" }
            let place = plan.offsets[index].map { "@\($0) +\(plan.sizes[index])" } ?? elsewhere
            line = "\(pad(line, 76)) \(place)"
        }
        return line
    }

    public static func print(_ phase: Phase, parameters: [Parameter]) -> [String] {
        // An inference phase updates nothing and reads no training batches.
        var lines = [
            phase.updates.isEmpty
                ? "phase \(phase.name)"
                : "phase \(phase.name)  updates \(phase.updates.joined(separator: ", "))  reads \(phase.reads.rawValue)"
                    + (phase.readsStepStart ? "  (other networks as the step began)" : "")
        ]
        lines += header(inputs: phase.inputs, plan: phase.plan)
        for (index, instruction) in phase.instructions.enumerated() {
            lines.append(line(index, instruction, plan: phase.plan, parameters: parameters))
        }
        lines.append("  \(phase.outputName == "loss" ? "loss" : "output \(phase.outputName) =") \(phase.loss)")
        for gradient in phase.gradients {
            lines.append("  grad \(parameters[gradient.parameter].name) = \(gradient.value)")
        }
        if let inputGradient = phase.inputGradient, let name = phase.differentiatedInput {
            lines.append("  grad \(name) = \(inputGradient)")
        }
        return lines
    }

    /// One instruction as the printer shows it, without its value name and type.
    public static func describe(_ instruction: Instruction, parameters: [Parameter]) -> String {
        switch instruction.op {
        case .input(let name): "input \(name)"
        case .parameter(let index): "param \(parameters[index].name)"
        case .parameterRows(let matrix, let offset, let count): "rows \(matrix)[\(offset):\(offset + count)]"
        case .constant(let value): "const \(number(value))"
        case .vector(let values): "const [" + values.map(number).joined(separator: ", ") + "]"
        case .randomNormal(let stream, let draw): "random.normal #\(stream)" + (draw > 0 ? " +\(draw)" : "")
        case .samplePrior(let distribution, let stream, let draw, let byLabel):
            "sample \(distribution.description) #\(stream)" + (draw > 0 ? " +\(draw)" : "")
                + (byLabel.map { " part by label \($0)" } ?? "")
        case .update(let parameter, let gradient, let slot): "update \(parameter), \(gradient) slot \(slot)"
        case .productUpdate(let parameter, let a, let b, let transposeA, let transposeB, let addend, let slot):
            "update \(parameter), matmul \(a)\(transposeA ? "^T" : ""), \(b)\(transposeB ? "^T" : "")"
                + (addend.map { " + \($0)" } ?? "") + " slot \(slot)"
        case .matmul(let a, let b, let transposeA, let transposeB):
            "matmul \(a)\(transposeA ? "^T" : ""), \(b)\(transposeB ? "^T" : "")"
        case .unary(let f, let a): "\(f) \(a)"
        case .binary(let f, let a, let b): "\(f) \(a), \(b)"
        case .derivative(let f, let input, let output, let upstream): "d.\(f) \(input), \(output), \(upstream)"
        case .concat(let parts): "concat " + parts.map(\.description).joined(separator: ", ")
        case .slice(let a, let offset, let width): "slice \(a)[\(offset):\(offset + width)]"
        case .padSlice(let a, let offset): "pad \(a) at \(offset)"
        case .expand(let a): "expand \(a)"
        case .reshape(let a): "reshape \(a)"
        case .patches(let a, let geometry): "patches \(a), \(geometry)"
        case .gatheredPatches(let a, let geometry): "gathered_patches \(a), \(geometry)"
        case .unpatches(let a, let geometry): "unpatches \(a), \(geometry)"
        case .sumTo(let a): "sum_to \(a)"
        case .broadcastMean(let a): "broadcast_mean \(a)"
        case .batchMoments(let x): "batch_moments \(x)"
        case .batchNorm(let x, let moments, let scale, let shift, let f):
            "batch_norm \(x), \(moments), \(scale), \(shift)" + (f.map { ", \($0)" } ?? "")
        case .batchNormSums(let x, let moments, let output, let upstream, let f):
            "d.batch_norm.sums \(x), \(moments), \(output), \(upstream)" + (f.map { ", \($0)" } ?? "")
        case .batchNormGradient(let x, let moments, let scale, let sums, let output, let upstream, let f):
            "d.batch_norm \(x), \(moments), \(scale), \(sums), \(output), \(upstream)" + (f.map { ", \($0)" } ?? "")
        case .average(let parameter, let value, let momentum): "average \(parameter), \(value) momentum \(number(momentum))"
        case .sumLast(let a): "sum_last \(a)"
        case .logSumExpFirst(let a): "logsumexp_first \(a)"
        case .meanFirst(let a): "mean_first \(a)"
        case .spreadFirst(let a): "spread_first \(a)"
        case .meanAll(let a): "mean \(a)"
        case .logSoftmax(let a): "log_softmax \(a)"
        case .logPrior(let distribution, let z): "prior.log_density[\(distribution.description)] \(z)"
        case .logPriorGradient(let distribution, let z, let upstream):
            "prior.d_log_density[\(distribution.description)] \(z), \(upstream)"
        case .stopGradient(let a): "stop_gradient \(a)"
        case .dense(let x, let w, let b, let f): "dense \(x), \(w), \(b)" + (f.map { ", \($0)" } ?? "")
        case .activationBackward(let f, let output, let upstream): "d.\(f).from_output \(output), \(upstream)"
        case .elementwise(let kernel): "fused " + describe(kernel)
        }
    }

    /// `{inputs} (steps) -> reduction`, with inputs named i0, i1, ... and steps t0, t1, ...
    static func describe(_ kernel: FusedKernel) -> String {
        func name(_ step: Int) -> String {
            if case .input(let index) = kernel.steps[step] { return "i\(index)" }
            if case .constant(let value) = kernel.steps[step] { return number(value) }
            return "t\(step)"
        }
        var parts: [String] = []
        for (index, step) in kernel.steps.enumerated() {
            switch step {
            case .input, .constant: continue
            case .unary(let f, let a): parts.append("t\(index)=\(f)(\(name(a)))")
            case .binary(let f, let a, let b): parts.append("t\(index)=\(f)(\(name(a)),\(name(b)))")
            case .derivative(let f, let i, let o, let u):
                parts.append("t\(index)=d.\(f)(\(name(i)),\(name(o)),\(name(u)))")
            case .activationBackward(let f, let o, let u): parts.append("t\(index)=d.\(f)(\(name(o)),\(name(u)))")
            }
        }
        let inputs = kernel.inputs.enumerated().map { "i\($0)=\($1)" }.joined(separator: " ")
        return "[\(inputs)] " + parts.joined(separator: "; ") + (kernel.reduction.map { " -> \($0.rawValue)" } ?? "")
    }

    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
