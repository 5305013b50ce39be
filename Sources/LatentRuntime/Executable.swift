import Foundation
import LatentIR
import LatentKernels
import LatentSpec

/// A planned phase bound to buffers once: every instruction knows where its operands and
/// result live and their concrete shapes; elementwise work is bound to vector kernels with
/// their inputs' addresses. A step is then one loop over instructions with a single switch,
/// no allocation and no look-ups.
public final class Executable {
    public let phase: Phase
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
    /// The phase's named inputs (in tape order), each a buffer the caller fills before a run.
    public let inputs: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)]
    /// Where each input's floats start (allocated for at least one float).
    let inputBases: [UnsafeMutablePointer<Float>]

    /// Binds a phase that has a memory plan, running kernels on `pool`. Each input's buffer
    /// takes its size from the phase's own type for it, so a caller cannot size it
    /// differently from what the kernels read.
    public init(_ phase: Phase, parameters: ParameterStore, pool: WorkerPool = .with(threads: 1)) {
        guard let plan = phase.plan else { preconditionFailure("bind a planned phase (MemoryPlanner.run)") }
        self.phase = phase
        self.parameters = parameters
        self.pool = pool
        batch = plan.batch
        samples = plan.samples
        arena = Self.zeros(plan.arenaBytes / 4)
        let counts = phase.inputs.map { $0.type.count(batch: plan.batch, samples: plan.samples) }
        inputBases = counts.map(Self.zeros)
        inputs = zip(phase.inputs, zip(inputBases, counts)).map {
            ($0.name, UnsafeMutableBufferPointer(start: $1.0, count: $1.1))
        }
        let inputIndex = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1.name, $0) })
        bound = phase.instructions.enumerated().map { index, instruction in
            let location: Location
            switch instruction.op {
            case .parameter(let p): location = .parameter(p)
            case .parameterRows(let p, let offset, _):
                location = .parameterRows(p, offset: offset * (phase.instructions[index].type.width ?? 1))
            case .input(let name): location = .input(inputIndex[name] ?? 0)
            default: location = .arena((plan.offsets[index] ?? 0) / 4)
            }
            return BoundInstruction(
                op: instruction.op, location: location,
                shape: instruction.type.sizes(batch: plan.batch, samples: plan.samples))
        }
        vectorKernels = bound.map { vectorKernel(for: $0, batch: plan.batch, samples: plan.samples) }
    }

    deinit {
        arena.deallocate()
        for base in inputBases { base.deallocate() }
    }

    /// The buffer of input `name`; empty when the phase does not read it (a GAN's
    /// generator step reads no `x`). Look it up once, not per step.
    public func input(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        inputs.first { $0.name == name }?.buffer ?? UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    /// The batch of data (input `x`).
    public var data: UnsafeMutableBufferPointer<Float> { input(InputName.data) }

    /// Zeroed floats (at least one, so the pointer is always valid).
    static func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    /// Runs the phase for one step; afterwards `loss` and `gradient(_:)` read its outputs.
    /// With a profile, each instruction's time is added to its kind.
    public func run(seed: UInt64, step: UInt64, profile: StepProfile? = nil) {
        let philox = Philox(seed: seed)
        guard let profile else {
            for index in bound.indices { execute(index, philox: philox, step: step) }
            return
        }
        for index in bound.indices {
            let start = StepProfile.now()
            execute(index, philox: philox, step: step)
            let seconds = StepProfile.now() - start
            switch bound[index].op {
            case .matmul, .dense:
                profile.gemmSeconds += seconds
                profile.gemmFlops += flops(index)
            default:
                if vectorKernels[index] != nil {
                    profile.elementwiseSeconds += seconds
                } else {
                    profile.otherSeconds += seconds
                }
            }
        }
    }

    /// Floating-point operations of a matrix product: 2 x rows x columns x depth.
    func flops(_ index: Int) -> Double {
        let left: [Int]
        var transposeA = false
        switch bound[index].op {
        case .matmul(let a, _, let transposed, _):
            left = bound[a.index].shape
            transposeA = transposed
        case .dense(let a, _, _, _): left = bound[a.index].shape
        default: return 0
        }
        let depth = transposeA ? left.dropLast().reduce(1, *) : (left.last ?? 1)
        return 2 * Double(bound[index].count) * Double(depth)
    }

    public var loss: Float { pointer(bound[phase.loss.index].location)[0] }

    /// The whole value the phase returns (an inference phase's output, row after row).
    public var output: UnsafeBufferPointer<Float> { buffer(phase.loss) }

    /// The gradient with respect to `phase.differentiatedInput`, for phases that have one.
    public var inputGradient: UnsafeBufferPointer<Float>? { phase.inputGradient.map(buffer) }

    /// The gradient buffer of the n-th updated parameter (`phase.gradients[n]`).
    public func gradient(_ n: Int) -> UnsafeBufferPointer<Float> { buffer(phase.gradients[n].value) }

    /// Where a value of the phase lives, as a buffer.
    func buffer(_ value: ValueID) -> UnsafeBufferPointer<Float> {
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

extension Executable {
    /// Runs the phase again one instruction at a time and names the first value that is not
    /// finite, as the IR printer shows it (nil when every value is finite).
    public func firstNonFinite(seed: UInt64, step: UInt64) -> String? {
        let philox = Philox(seed: seed)
        for index in bound.indices {
            execute(index, philox: philox, step: step)
            if buffer(ValueID(index)).contains(where: { !$0.isFinite }) {
                let instruction = phase.instructions[index]
                let place = layer(reaching: index).map { " (in \($0))" } ?? ""
                return "\(ValueID(index)) = \(ProgramPrinter.describe(instruction, parameters: parameters.parameters))"
                    + " : \(instruction.type)" + place
            }
        }
        return nil
    }

    /// The network layer nearest to value `index` on the tape (breadth-first through its
    /// operands), as "network 'decoder', layer 2", so a user can find it in the spec.
    func layer(reaching index: Int) -> String? {
        var frontier = [index]
        var seen = Set(frontier)
        while !frontier.isEmpty {
            var next: [Int] = []
            for value in frontier {
                if case .parameter(let p) = phase.instructions[value].op {
                    let parameter = parameters.parameters[p]
                    let parts = parameter.name.split(separator: ".")
                    let layer = parts.count >= 3 ? ", layer \(parts[parts.count - 2])" : ""
                    return "network '\(parameter.network)'\(layer): \(parameter.name)"
                }
                for operand in phase.instructions[value].op.operands where seen.insert(operand.index).inserted {
                    next.append(operand.index)
                }
            }
            frontier = next
        }
        return nil
    }
}
