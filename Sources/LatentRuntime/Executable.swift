import Foundation
import LatentIR
import LatentKernels

/// A planned tape (a phase, or a whole training step) bound to buffers once: every
/// instruction knows where its operands and result live and their concrete shapes;
/// elementwise work is bound to vector kernels with their inputs' addresses. A run is then
/// one loop over instructions with a single switch, no allocation and no look-ups.
public final class Executable<Code: Tape> {
    /// What is bound: a phase or a step.
    public let code: Code
    public let batch: Int
    public let samples: Int
    /// The threads kernels share.
    public let pool: WorkerPool
    let bound: [BoundInstruction]
    /// Each elementwise instruction's vector kernel (nil for other instructions); for a
    /// dense layer, the activation its matrix product cannot apply while storing.
    private(set) var vectorKernels: [ElementwiseKernel?] = []
    let arena: UnsafeMutablePointer<Float>
    let parameters: ParameterStore
    /// The optimizer state `update` instructions use (nil for tapes without updates).
    let optimizers: OptimizerState?
    /// The tape's named inputs (in tape order), each a buffer the caller fills before a run.
    public let inputs: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)]
    /// Where each input's floats start (allocated for at least one float).
    let inputBases: [UnsafeMutablePointer<Float>]
    /// The optimizer slot of the last update whose gradient was not finite, if any.
    var nonFiniteSlot: Int?
    /// Each random draw's elements (rows, for a prior's) as contiguous runs: (start here,
    /// start in the whole batch's draw, length); see `computeShard`.
    private(set) var drawRuns: [[(local: Int, global: Int, count: Int)]] = []

    /// Binds a tape that has a memory plan, running kernels on `pool`. Each input's buffer
    /// takes its size from the tape's own type for it, so a caller cannot size it
    /// differently from what the kernels read.
    public init(
        _ code: Code, parameters: ParameterStore, pool: WorkerPool = .with(threads: 1), optimizers: OptimizerState? = nil
    ) {
        guard let plan = code.plan else { preconditionFailure("bind a planned tape (MemoryPlanner.run)") }
        self.code = code
        self.parameters = parameters
        self.pool = pool
        self.optimizers = optimizers
        batch = plan.batch
        samples = plan.samples
        arena = Kernels.alignedZeros(plan.arenaBytes / 4)
        let counts = code.inputs.map { $0.type.count(batch: plan.batch, samples: plan.samples) }
        inputBases = counts.map(Kernels.alignedZeros)
        inputs = zip(code.inputs, zip(inputBases, counts)).map {
            ($0.name, UnsafeMutableBufferPointer(start: $1.0, count: $1.1))
        }
        let inputIndex = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1.name, $0) })
        var bound: [BoundInstruction] = []
        for (index, instruction) in code.instructions.enumerated() {
            let location: Location
            switch instruction.op {
            case .parameter(let p): location = .parameter(p)
            case .update(let old, _, _), .productUpdate(let old, _, _, _, _, _, _), .average(let old, _, _):
                location = bound[old.index].location
            case .parameterRows(let matrix, let offset, _):
                guard case .parameter(let p) = bound[matrix.index].location else {
                    preconditionFailure("a row view of a value outside the parameter store")
                }
                location = .parameterRows(p, offset: offset * (instruction.type.width ?? 1))
            case .input(let name): location = .input(inputIndex[name] ?? 0)
            default: location = .arena((plan.offsets[index] ?? 0) / 4)
            }
            bound.append(
                BoundInstruction(
                    op: instruction.op, location: location,
                    shape: instruction.type.sizes(batch: plan.batch, samples: plan.samples)))
        }
        self.bound = bound
        vectorKernels = bound.map { vectorKernel(for: $0, batch: plan.batch, samples: plan.samples) }
        computeShard(start: 0, of: plan.batch)
    }

    deinit {
        arena.deallocate()
        for base in inputBases { base.deallocate() }
    }

    /// The buffer of input `name`; empty when the tape does not read it (a GAN's
    /// generator step reads no `x`). Look it up once, not per step.
    public func input(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        inputs.first { $0.name == name }?.buffer ?? UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    /// The batch of data (input `x`).
    public var data: UnsafeMutableBufferPointer<Float> { input(InputName.data) }

    /// Runs instructions `range` with random counter `counter`; with a profile, each
    /// instruction's time is added to its kind (and, through `phaseOf`, to its phase).
    /// Stops early, returning the index it stopped after, when `stop` says so.
    @inline(__always)
    func run(
        _ range: Range<Int>, seed: UInt64, counter: UInt64, profile: StepProfile?, phaseOf: ((Int) -> Int)? = nil,
        stop: (Int) -> Bool
    ) -> Int? {
        let philox = Philox(seed: seed)
        guard let profile else {
            for index in range {
                execute(index, philox: philox, step: counter)
                if stop(index) { return index }
            }
            return nil
        }
        if profile.instructionSeconds.count != bound.count {
            profile.instructionSeconds = Array(repeating: 0, count: bound.count)
            profile.instructionFlops = bound.indices.map(flops)
        }
        for index in range {
            let start = StepProfile.now()
            execute(index, philox: philox, step: counter)
            let seconds = StepProfile.now() - start
            profile.instructionSeconds[index] += seconds
            if let phase = phaseOf?(index) { profile.phaseSeconds[phase] += seconds }
            switch bound[index].op {
            case .matmul, .dense, .productUpdate:
                profile.gemmSeconds += seconds
                profile.gemmFlops += flops(index)
            case .update:
                profile.optimizerSeconds += seconds
            default:
                if vectorKernels[index] != nil {
                    profile.elementwiseSeconds += seconds
                } else {
                    profile.otherSeconds += seconds
                }
            }
            if stop(index) { return index }
        }
        return nil
    }

    /// Makes this tape compute examples start..<start+batch of a batch of `whole` (one shard
    /// of a data-parallel step): random draws are keyed by an example's place in the whole
    /// batch, so every shard draws what the whole batch would.
    public func computeShard(start: Int, of whole: Int) {
        drawRuns = bound.indices.map { index in
            let width: Int
            switch bound[index].op {
            case .randomNormal: width = 1
            case .samplePrior: width = bound[index].shape.last ?? 1
            default: return []
            }
            let units = bound[index].count / max(width, 1)
            guard let axis = code.instructions[index].type.dims.firstIndex(of: .batch) else { return [(0, 0, units)] }
            let sizes = bound[index].shape
            let outer = sizes[..<axis].reduce(1, *)
            let inner = sizes[(axis + 1)...].reduce(1, *) / max(width, 1)
            return (0..<outer).map { o in (o * batch * inner, (o * whole + start) * inner, batch * inner) }
        }
    }

    /// Floating-point operations of a matrix product: 2 x rows x columns x depth.
    func flops(_ index: Int) -> Double {
        let left: [Int]
        var transposeA = false
        switch bound[index].op {
        case .matmul(let a, _, let transposed, _), .productUpdate(_, let a, _, let transposed, _, _, _):
            left = bound[a.index].shape
            transposeA = transposed
        case .dense(let a, _, _, _): left = bound[a.index].shape
        default: return 0
        }
        let depth = transposeA ? left.dropLast().reduce(1, *) : (left.last ?? 1)
        return 2 * Double(bound[index].count) * Double(depth)
    }

    /// The floating-point operations of the matrix products of one run.
    public var matrixFlops: Double { bound.indices.reduce(0) { $0 + flops($1) } }

    /// Where a value of the tape lives, as a buffer.
    public func buffer(_ value: ValueID) -> UnsafeBufferPointer<Float> {
        let bound = bound[value.index]
        return UnsafeBufferPointer(start: pointer(bound.location), count: bound.count)
    }

    /// Where a value lives.
    func pointer(_ location: Location) -> UnsafeMutablePointer<Float> {
        switch location {
        case .arena(let offset): arena + offset
        case .parameter(let index): parameters.bases[index]
        case .parameterRows(let index, let offset): parameters.bases[index] + offset
        case .input(let index): inputBases[index]
        }
    }
}

extension Executable where Code == Step {
    /// Runs the whole step once with random counter `counter`, updates included (the
    /// trainer's loop adds batches and stops at a non-finite loss or gradient).
    public func run(seed: UInt64, counter: UInt64) {
        _ = run(bound.indices, seed: seed, counter: counter, profile: nil) { _ in false }
    }

    /// A run's loss after `run`.
    public func loss(_ run: PhaseRun) -> Float { buffer(run.loss)[0] }
}

extension Executable where Code == Phase {
    public var phase: Phase { code }

    /// Runs the phase for one step; afterwards `loss` and `gradient(_:)` read its outputs.
    /// With a profile, each instruction's time is added to its kind.
    public func run(seed: UInt64, step: UInt64, profile: StepProfile? = nil) {
        _ = run(bound.indices, seed: seed, counter: step, profile: profile) { _ in false }
    }

    public var loss: Float { pointer(bound[phase.loss.index].location)[0] }

    /// The whole value the phase returns (an inference phase's output, row after row).
    public var output: UnsafeBufferPointer<Float> { buffer(phase.loss) }

    /// The gradient with respect to `phase.differentiatedInput`, for phases that have one.
    public var inputGradient: UnsafeBufferPointer<Float>? { phase.inputGradient.map(buffer) }

    /// The gradient buffer of the n-th updated parameter (`phase.gradients[n]`).
    public func gradient(_ n: Int) -> UnsafeBufferPointer<Float> { buffer(phase.gradients[n].value) }
}

/// Where a value's floats are.
enum Location {
    case arena(Int)
    case parameter(Int)
    /// A parameter's floats from `offset` on (a view of some of its rows).
    case parameterRows(Int, offset: Int)
    /// The n-th of the executable's inputs.
    case input(Int)
}

/// One instruction with its place and concrete shape.
struct BoundInstruction {
    let op: Op
    let location: Location
    let shape: [Int]
    var count: Int { shape.reduce(1, *) }
}

extension Executable where Code == Phase {
    /// Runs the phase again one instruction at a time and names the first value that is not
    /// finite, as the IR printer shows it (nil when every value is finite).
    public func firstNonFinite(seed: UInt64, step: UInt64) -> String? {
        let philox = Philox(seed: seed)
        for index in bound.indices {
            execute(index, philox: philox, step: step)
            if buffer(ValueID(index)).contains(where: { !$0.isFinite }) {
                let instruction = code.instructions[index]
                let place = layer(reaching: index).map { " (in \($0))" } ?? ""
                return "\(ValueID(index)) = \(ProgramPrinter.describe(instruction, parameters: parameters.parameters))"
                    + " : \(instruction.type)" + place
            }
        }
        return nil
    }

}

extension Executable {
    /// The network layer nearest to value `index` on the tape (breadth-first through its
    /// operands), as "network 'decoder', layer 2", so a user can find it in the spec.
    func layer(reaching index: Int) -> String? {
        var frontier = [index]
        var seen = Set(frontier)
        while !frontier.isEmpty {
            var next: [Int] = []
            for value in frontier {
                if case .parameter(let p) = code.instructions[value].op {
                    let parameter = parameters.parameters[p]
                    let parts = parameter.name.split(separator: ".")
                    let layer = parts.count >= 3 ? ", layer \(parts[parts.count - 2])" : ""
                    return "network '\(parameter.network)'\(layer): \(parameter.name)"
                }
                for operand in code.instructions[value].op.operands where seen.insert(operand.index).inserted {
                    next.append(operand.index)
                }
            }
            frontier = next
        }
        return nil
    }
}
