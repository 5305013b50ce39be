/// Reverse-mode automatic differentiation as a tape transformation: the backward pass is
/// appended to the phase as more instructions, so later passes see forward and backward
/// together. Gradients are taken only for the parameters of the networks the phase
/// updates, and only along paths that reach them, so no other network is ever touched.
public enum Autodiff {
    public static func differentiate(_ program: Program) -> Program {
        program.mapPhases { differentiate($0, parameters: program.parameters) }
    }

    public static func differentiate(_ phase: Phase, parameters: [Parameter]) -> Phase {
        let updated = Set(phase.updates)
        var builder = TapeBuilder(phase.instructions)
        let forward = phase.instructions

        /// Whether the phase trains parameter `p` (a running statistic is never trained).
        func trains(_ p: Int) -> Bool { updated.contains(parameters[p].network) && parameters[p].isTrained }

        // Which values depend on an updated parameter (and so need an adjoint).
        var needs = [Bool](repeating: false, count: forward.count)
        for (index, instruction) in forward.enumerated() {
            switch instruction.op {
            case .parameter(let p): needs[index] = trains(p)
            case .input(let name): needs[index] = name == phase.differentiatedInput
            case .stopGradient: needs[index] = false
            default: needs[index] = instruction.op.operands.contains { needs[$0.index] }
            }
        }

        var adjoints: [ValueID: ValueID] = [:]
        func accumulate(_ value: ValueID, _ contribution: ValueID, _ builder: inout TapeBuilder) {
            guard needs[value.index] else { return }
            var contribution = contribution
            let target = forward[value.index].type
            if builder.type(of: contribution) != target {
                contribution = builder.emit(.sumTo(contribution), type: target)
            }
            adjoints[value] = adjoints[value].map { builder.add($0, contribution) } ?? contribution
        }

        if needs[phase.loss.index] { adjoints[phase.loss] = builder.constant(1) }
        for index in stride(from: forward.count - 1, through: 0, by: -1) {
            let y = ValueID(index)
            guard needs[index], let dy = adjoints[y] else { continue }
            let type = forward[index].type
            switch forward[index].op {
            case .matmul(let a, let b, false, false):
                if needs[a.index] {
                    accumulate(a, builder.emit(.matmul(dy, b, transposeA: false, transposeB: true)), &builder)
                }
                if needs[b.index] {
                    accumulate(b, builder.emit(.matmul(a, dy, transposeA: true, transposeB: false)), &builder)
                }
            case .unary(let f, let a):
                accumulate(a, builder.emit(.derivative(f, input: a, output: y, upstream: dy)), &builder)
            case .binary(let f, let a, let b):
                switch f {
                case .add:
                    accumulate(a, dy, &builder)
                    accumulate(b, dy, &builder)
                case .sub:
                    accumulate(a, dy, &builder)
                    if needs[b.index] { accumulate(b, builder.unary(.neg, dy), &builder) }
                case .mul:
                    if needs[a.index] { accumulate(a, builder.mul(dy, b), &builder) }
                    if needs[b.index] { accumulate(b, builder.mul(dy, a), &builder) }
                case .div:
                    if needs[a.index] { accumulate(a, builder.div(dy, b), &builder) }
                    if needs[b.index] {
                        accumulate(b, builder.unary(.neg, builder.div(builder.mul(dy, y), b)), &builder)
                    }
                }
            case .concat(let parts):
                var offset = 0
                for part in parts {
                    let width = forward[part.index].type.width ?? 0
                    if needs[part.index] {
                        accumulate(part, builder.emit(.slice(dy, offset: offset, width: width)), &builder)
                    }
                    offset += width
                }
            case .slice(let a, let offset, _):
                accumulate(a, builder.emit(.padSlice(dy, offset: offset), type: forward[a.index].type), &builder)
            case .sumLast(let a):
                accumulate(a, builder.emit(.expand(dy), type: forward[a.index].type), &builder)
            case .batchNorm(let x, let moments, let scale, let shift, let f):
                // The moments are x's own, so one rule covers x's paths through them.
                let sums = builder.emit(.batchNormSums(x, moments: moments, output: y, upstream: dy, f))
                let channels = forward[scale.index].type.width ?? 1
                if needs[shift.index] {
                    accumulate(shift, builder.emit(.slice(sums, offset: 0, width: channels)), &builder)
                }
                if needs[scale.index] {
                    accumulate(scale, builder.emit(.slice(sums, offset: channels, width: channels)), &builder)
                }
                if needs[x.index] {
                    let gradient = Op.batchNormGradient(
                        x, moments: moments, scale: scale, sums: sums, output: y, upstream: dy, f)
                    accumulate(x, builder.emit(gradient), &builder)
                }
            case .batchMoments:
                // Read with a gradient only by the batch norm of the same x, whose rule counts it.
                break
            case .meanAll(let a):
                accumulate(a, builder.emit(.broadcastMean(dy), type: forward[a.index].type), &builder)
            case .meanFirst(let a):
                accumulate(a, builder.emit(.spreadFirst(dy), type: forward[a.index].type), &builder)
            case .expand(let a):
                accumulate(a, dy, &builder)
            case .reshape(let a):
                accumulate(a, builder.emit(.reshape(dy), type: forward[a.index].type), &builder)
            case .patches(let a, let geometry):
                accumulate(a, builder.emit(.unpatches(dy, geometry)), &builder)
            case .unpatches(let a, let geometry):
                accumulate(a, builder.emit(.patches(dy, geometry)), &builder)
            case .logSumExpFirst(let a):
                let weights = builder.unary(.exp, builder.sub(a, y))
                accumulate(a, builder.mul(weights, dy), &builder)
            case .logSoftmax(let a):
                let probabilities = builder.unary(.exp, y)
                accumulate(a, builder.sub(dy, builder.mul(probabilities, builder.sumLast(dy))), &builder)
            case .logPrior(let distribution, let z):
                accumulate(z, builder.emit(.logPriorGradient(distribution, z, upstream: dy)), &builder)
            case .input, .parameter, .constant, .vector, .randomNormal, .samplePrior,
                .stopGradient:
                break
            case .matmul, .derivative, .padSlice, .sumTo, .broadcastMean, .spreadFirst, .logPriorGradient, .dense,
                .activationBackward, .elementwise, .gatheredPatches, .parameterRows, .update, .productUpdate, .average, .batchNormSums,
                .batchNormGradient:
                preconditionFailure("\(forward[index].op) does not appear in a forward tape (type \(type))")
            }
        }

        var result = phase
        for (index, instruction) in forward.enumerated() {
            guard case .parameter(let p) = instruction.op, trains(p) else { continue }
            let gradient =
                adjoints[ValueID(index)]
                ?? builder.emit(.expand(builder.constant(0)), type: instruction.type)
            result.gradients.append(ParameterGradient(parameter: p, value: gradient))
        }
        if let name = phase.differentiatedInput, let data = forward.firstIndex(where: { $0.op == .input(name) }) {
            result.inputGradient =
                adjoints[ValueID(data)]
                ?? builder.emit(.expand(builder.constant(0)), type: forward[data].type)
        }
        result.instructions = builder.instructions
        return result
    }
}
