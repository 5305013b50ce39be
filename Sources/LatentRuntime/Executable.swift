import Foundation
import LatentIR
import LatentSpec

/// A planned phase bound to buffers once: every instruction knows where its operands and
/// result live and their concrete shapes, and broadcasts have their index tables; a step is
/// then one loop over instructions with a single switch, no allocation and no look-ups.
public final class Executable {
    public let phase: Phase
    public let batch: Int
    public let samples: Int
    let bound: [BoundInstruction]
    /// Each fused kernel's input buffers (empty for other instructions), resolved once: every
    /// buffer keeps its address for the executable's lifetime.
    private(set) var kernelInputs: [[UnsafeMutablePointer<Float>]] = []
    let arena: UnsafeMutablePointer<Float>
    let parameters: ParameterStore
    /// The current batch of data (and labels), copied in by the caller.
    public let data: UnsafeMutableBufferPointer<Float>
    public let labels: UnsafeMutableBufferPointer<Float>
    let dataBase: UnsafeMutablePointer<Float>
    let labelsBase: UnsafeMutablePointer<Float>
    /// Per-element registers of fused kernels.
    let scratch: UnsafeMutablePointer<Double>

    /// Binds a phase that has a memory plan (for `batch` examples of `dataWidth` values,
    /// with one-hot labels of `labelWidth` classes).
    public init(_ phase: Phase, parameters: ParameterStore, dataWidth: Int, labelWidth: Int = 0) {
        guard let plan = phase.plan else { preconditionFailure("bind a planned phase (MemoryPlanner.run)") }
        self.phase = phase
        self.parameters = parameters
        batch = plan.batch
        samples = plan.samples
        arena = Self.zeros(plan.arenaBytes / 4)
        dataBase = Self.zeros(batch * dataWidth)
        labelsBase = Self.zeros(batch * labelWidth)
        data = UnsafeMutableBufferPointer(start: dataBase, count: batch * dataWidth)
        labels = UnsafeMutableBufferPointer(start: labelsBase, count: batch * labelWidth)
        var bound: [BoundInstruction] = []
        for (index, instruction) in phase.instructions.enumerated() {
            let location: Location
            switch instruction.op {
            case .parameter(let p): location = .parameter(p)
            case .data: location = .data
            case .labels: location = .labels
            default: location = .arena((plan.offsets[index] ?? 0) / 4)
            }
            bound.append(
                BoundInstruction(
                    op: instruction.op, location: location,
                    shape: instruction.type.sizes(batch: plan.batch, samples: plan.samples)))
        }
        for index in bound.indices {
            bound[index].prepare(
                operandShapes: phase.instructions[index].op.operands.map { bound[$0.index].shape }, batch: plan.batch,
                samples: plan.samples)
        }
        self.bound = bound
        let longest =
            phase.instructions.map { if case .elementwise(let k) = $0.op { k.steps.count } else { 0 } }.max() ?? 0
        scratch = .allocate(capacity: max(1, longest))
        kernelInputs = bound.map { instruction in
            guard case .elementwise(let kernel) = instruction.op else { return [] }
            return kernel.inputs.map { pointer(bound[$0.index].location) }
        }
    }

    deinit {
        arena.deallocate()
        scratch.deallocate()
        dataBase.deallocate()
        labelsBase.deallocate()
    }

    /// Zeroed floats (at least one, so the pointer is always valid).
    static func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    /// Runs the phase for one step; afterwards `loss` and `gradient(_:)` read its outputs.
    public func run(seed: UInt64, step: UInt64) {
        let philox = Philox(seed: seed)
        for index in bound.indices {
            execute(index, philox: philox, step: step)
        }
    }

    public var loss: Float { pointer(bound[phase.loss.index].location)[0] }

    /// The gradient buffer of the n-th updated parameter (`phase.gradients[n]`).
    public func gradient(_ n: Int) -> UnsafeBufferPointer<Float> {
        let value = bound[phase.gradients[n].value.index]
        return UnsafeBufferPointer(start: pointer(value.location), count: value.count)
    }

    /// Where a value lives.
    func pointer(_ location: Location) -> UnsafeMutablePointer<Float> {
        switch location {
        case .arena(let offset): arena + offset
        case .parameter(let index): parameters.bases[index]
        case .data: dataBase
        case .labels: labelsBase
        }
    }
}

/// Where a value's floats are.
enum Location {
    case arena(Int)
    case parameter(Int)
    case data
    case labels
}

/// One instruction with everything a step needs precomputed.
struct BoundInstruction {
    let op: Op
    let location: Location
    let shape: [Int]
    /// For each operand (or fused-kernel input) that broadcasts: the operand index of every
    /// output element (nil when the shapes are equal).
    var broadcastTables: [[Int32]?] = []
    var count: Int { shape.reduce(1, *) }

    /// The shape elementwise work runs over (a fused kernel's domain before its reduction).
    var domain: [Int] = []

    mutating func prepare(operandShapes: [[Int]], batch: Int, samples: Int) {
        var target = shape
        domain = shape
        switch op {
        case .elementwise(let kernel):
            target = kernel.domain.sizes(batch: batch, samples: samples)
            domain = target
        case .unary, .binary, .derivative, .activationBackward, .expand, .broadcastMean, .spreadFirst: break
        case .sumTo:
            broadcastTables = [Self.table(from: shape, to: operandShapes.first ?? shape)]
            return
        default:
            return
        }
        broadcastTables = operandShapes.map { Self.table(from: $0, to: target) }
    }

    /// For each element of `target`, the index of the element of `source` it reads.
    static func table(from source: [Int], to target: [Int]) -> [Int32]? {
        if source == target { return nil }
        let tensor = Tensor(shape: source, values: (0..<source.reduce(1, *)).map(Double.init))
        return tensor.broadcast(to: target).values.map { Int32($0) }
    }
}
