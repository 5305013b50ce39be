/// The processes of a data-parallel run and the one collective it needs. A run launched
/// without `mpirun` has one process (`SingleProcess`); under `mpirun` the `latent` tool
/// hands the trainer an MPI communicator.
public protocol Communicator: AnyObject {
    /// This process's number, 0 to `size` - 1; process 0 writes the run's files.
    var rank: Int { get }
    var size: Int { get }
    /// Every process's `send` (each the same length), in rank order, into `receive`
    /// (`size` times as long) on every process.
    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>)
}

/// The one process of a run started without `mpirun`.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) {
        _ = receive.update(fromContentsOf: send)
    }
}

extension Communicator {
    /// Whether `flag` holds on any process (every process gets the same answer).
    public func any(_ flag: Bool) -> Bool {
        let send = [Float(flag ? 1 : 0)]
        var receive = [Float](repeating: 0, count: size)
        send.withUnsafeBufferPointer { send in
            receive.withUnsafeMutableBufferPointer { allGather(send, into: $0) }
        }
        return receive.contains { $0 != 0 }
    }
}
