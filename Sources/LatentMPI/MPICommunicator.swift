import CMPI
import Foundation
import LatentRuntime

/// The processes `mpirun` started, through Open MPI: the gradient exchange is one
/// `MPI_Allgather` per group of updates. Errors end the whole job (MPI's default handler),
/// so a failed process never leaves the others waiting.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    /// Joins the job when this process was started by `mpirun` (Open MPI sets
    /// OMPI_COMM_WORLD_SIZE), nil otherwise: a plain `latent` never touches MPI.
    public static func joinIfLaunched() -> MPICommunicator? {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil else { return nil }
        MPI_Init(nil, nil)
        var rank: Int32 = 0
        var size: Int32 = 1
        MPI_Comm_rank(latent_mpi_comm_world(), &rank)
        MPI_Comm_size(latent_mpi_comm_world(), &size)
        let communicator = MPICommunicator(rank: Int(rank), size: Int(size))
        atexit { MPI_Finalize() }
        return communicator
    }

    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The processes this machine runs (to share its cores between them).
    public var localSize: Int {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
    }

    /// Exchanges of more than `piece` bytes per process (MPI counts are 32-bit) go in pieces.
    public func allGather(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) {
        precondition(receive.count == send.count * size, "allGather receives size x send bytes")
        let piece = 1 << 30
        if send.count <= piece {
            MPI_Allgather(
                send.baseAddress, Int32(send.count), latent_mpi_byte(), receive.baseAddress, Int32(send.count),
                latent_mpi_byte(), latent_mpi_comm_world())
            return
        }
        let gathered = UnsafeMutableRawBufferPointer.allocate(byteCount: piece * size, alignment: 16)
        defer { gathered.deallocate() }
        for start in stride(from: 0, to: send.count, by: piece) {
            let length = min(piece, send.count - start)
            MPI_Allgather(
                send.baseAddress.map { $0 + start }, Int32(length), latent_mpi_byte(), gathered.baseAddress,
                Int32(length), latent_mpi_byte(), latent_mpi_comm_world())
            for process in 0..<size {
                UnsafeMutableRawBufferPointer(rebasing: receive[(process * send.count + start)...]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: gathered[(process * length)..<((process + 1) * length)]))
            }
        }
    }

    /// Exchanges of more than `piece` bytes per pair of processes go in pieces.
    public func allToAll(_ send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) {
        precondition(receive.count == send.count && send.count % size == 0, "allToAll sends equal parts")
        let part = send.count / size
        let piece = 1 << 30
        if part <= piece {
            MPI_Alltoall(
                send.baseAddress, Int32(part), latent_mpi_byte(), receive.baseAddress, Int32(part), latent_mpi_byte(),
                latent_mpi_comm_world())
            return
        }
        let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: piece * size, alignment: 16)
        let incoming = UnsafeMutableRawBufferPointer.allocate(byteCount: piece * size, alignment: 16)
        defer {
            outgoing.deallocate()
            incoming.deallocate()
        }
        for start in stride(from: 0, to: part, by: piece) {
            let length = min(piece, part - start)
            for process in 0..<size {
                UnsafeMutableRawBufferPointer(rebasing: outgoing[(process * length)...]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: send[(process * part + start)..<(process * part + start + length)]))
            }
            MPI_Alltoall(
                outgoing.baseAddress, Int32(length), latent_mpi_byte(), incoming.baseAddress, Int32(length),
                latent_mpi_byte(), latent_mpi_comm_world())
            for process in 0..<size {
                UnsafeMutableRawBufferPointer(rebasing: receive[(process * part + start)...]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: incoming[(process * length)..<((process + 1) * length)]))
            }
        }
    }

    /// Ends every process of the job with `code` (a process that cannot go on must not
    /// leave the others waiting in a collective).
    public func abort(code: Int32) -> Never {
        MPI_Abort(latent_mpi_comm_world(), code)
        exit(code)
    }
}
