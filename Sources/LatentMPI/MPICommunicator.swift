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

    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>) {
        precondition(receive.count == send.count * size, "allGather receives size x send floats")
        MPI_Allgather(
            send.baseAddress, Int32(send.count), latent_mpi_float(), receive.baseAddress, Int32(send.count),
            latent_mpi_float(), latent_mpi_comm_world())
    }

    /// Ends every process of the job with `code` (a process that cannot go on must not
    /// leave the others waiting in a collective).
    public func abort(code: Int32) -> Never {
        MPI_Abort(latent_mpi_comm_world(), code)
        exit(code)
    }
}
