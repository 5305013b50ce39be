/// The processes of a data-parallel run and the two collectives it needs. A run launched
/// without `mpirun` has one process (`SingleProcess`); under `mpirun` the `latent` tool
/// hands the trainer an MPI communicator.
public protocol Communicator: AnyObject {
    /// This process's number, 0 to `size` - 1; process 0 writes the run's files.
    var rank: Int { get }
    var size: Int { get }
    /// Every process's `send` (each the same number of bytes), in rank order, into
    /// `receive` (`size` times as long) on every process.
    func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer)
    /// `send` split into `size` equal parts, part q to process q; `receive` (as long as
    /// `send`) gets every process's part for this one, in rank order.
    func allToAll(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer)
}

/// The one process of a run started without `mpirun`.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) {
        receive.copyMemory(from: send)
    }
    public func allToAll(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) {
        receive.copyMemory(from: send)
    }
}

extension Communicator {
    /// Every process's values (each the same count), in rank order.
    public func allGather<Value: BitwiseCopyable>(_ values: [Value]) -> [Value] {
        [Value](unsafeUninitializedCapacity: values.count * size) { buffer, count in
            values.withUnsafeBytes { allGather($0, into: UnsafeMutableRawBufferPointer(buffer)) }
            count = values.count * size
        }
    }

    /// Whether `flag` holds on any process (every process gets the same answer).
    public func any(_ flag: Bool) -> Bool { allGather([UInt8(flag ? 1 : 0)]).contains(1) }

    /// The results of `parts` pieces of work, piece i computed by process i mod `size` and
    /// every piece's results (up to `limit` values each) gathered to every process in piece
    /// order: the same list one process computing every piece would make.
    public func distribute(parts: Int, limit: Int, _ work: (Int) throws -> [Double]) rethrows -> [Double] {
        let mine = Array(stride(from: rank, to: parts, by: size))
        let rounds = (parts + size - 1) / size
        // Each piece as a count then `limit` values (NaN-padded), every process sending `rounds`.
        var send = [Double](repeating: .nan, count: rounds * (limit + 1))
        for (round, part) in mine.enumerated() {
            let values = try work(part)
            precondition(values.count <= limit, "a piece of work made more values than its limit")
            send[round * (limit + 1)] = Double(values.count)
            for (i, value) in values.enumerated() { send[round * (limit + 1) + 1 + i] = value }
        }
        let all = allGather(send)
        var result: [Double] = []
        for part in 0..<parts {
            let (process, round) = (part % size, part / size)
            let start = (process * rounds + round) * (limit + 1)
            let count = Int(all[start])
            result += all[(start + 1)..<(start + 1 + count)]
        }
        return result
    }
}
