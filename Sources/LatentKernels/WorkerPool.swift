import Foundation
import Synchronization

/// A persistent pool of threads for sub-millisecond kernels. `run(tasks:)` splits the task
/// indices into one contiguous range per thread (the caller's thread takes the first); the
/// workers spin briefly on a generation counter before sleeping, so back-to-back kernels
/// start in about a microsecond. Kernels make every task write its own outputs in a fixed
/// order, so results do not depend on the thread count.
public final class WorkerPool: @unchecked Sendable {
    /// Threads taking part in a run, the caller's included.
    public let threads: Int
    /// Per-thread scratch floats for kernels (packed panels), grown on demand by their owner.
    private let scratch: UnsafeMutablePointer<UnsafeMutableBufferPointer<Float>>
    /// Scratch every thread of a run reads (a packed operand), owned by the caller's thread.
    private var shared = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The running job and its task count: set before a generation increment, read by the
    /// workers after it. The caller's closure is stored as it is, so a run allocates nothing.
    private nonisolated(unsafe) var job: ((Int, Int) -> Void)?
    private nonisolated(unsafe) var jobTasks = 0

    /// The pool of `threads` threads (at least one: the caller's). Pools live as long as the
    /// process; one is made per thread count.
    public static func with(threads: Int) -> WorkerPool {
        pools.withLock { pools in
            if let pool = pools[threads] { return pool }
            let pool = WorkerPool(threads: threads)
            pools[threads] = pool
            return pool
        }
    }

    private static let pools = Mutex<[Int: WorkerPool]>([:])

    private init(threads: Int) {
        self.threads = max(1, threads)
        scratch = .allocate(capacity: self.threads)
        scratch.initialize(repeating: UnsafeMutableBufferPointer(start: nil, count: 0), count: self.threads)
        for worker in 1..<self.threads {
            let thread = Thread { self.work(as: worker) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// The contiguous task range of thread `thread` among `threads`, for `tasks` tasks.
    @inline(__always)
    static func share(of thread: Int, threads: Int, tasks: Int) -> Range<Int> {
        (thread * tasks / threads)..<((thread + 1) * tasks / threads)
    }

    /// Runs `body(task, thread)` for every task in 0..<tasks and returns when all are done;
    /// on the caller's thread alone when `parallel` is false (work too small to share).
    public func run(tasks: Int, parallel: Bool = true, _ body: (_ task: Int, _ thread: Int) -> Void) {
        if threads == 1 || tasks <= 1 || !parallel {
            for task in 0..<tasks { body(task, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            jobTasks = tasks
            finished.store(0, ordering: .relaxed)
            condition.lock()
            generation.add(1, ordering: .sequentiallyConsistent)
            condition.broadcast()
            condition.unlock()
            for task in Self.share(of: 0, threads: threads, tasks: tasks) { body(task, 0) }
            while finished.load(ordering: .acquiring) < threads - 1 {}
            job = nil
        }
    }

    /// Thread `thread`'s scratch buffer of at least `count` floats. Only that thread calls it
    /// during a run.
    public func scratch(_ thread: Int, count: Int) -> UnsafeMutablePointer<Float> {
        if scratch[thread].count < count {
            scratch[thread].deallocate()
            scratch[thread] = UnsafeMutableBufferPointer(start: Kernels.alignedZeros(count), count: count)
        }
        return scratch[thread].baseAddress.unsafelyUnwrapped
    }

    /// The shared scratch buffer of at least `count` floats; call it between runs.
    public func sharedScratch(count: Int) -> UnsafeMutablePointer<Float> {
        if shared.count < count {
            shared.deallocate()
            shared = UnsafeMutableBufferPointer(start: Kernels.alignedZeros(count), count: count)
        }
        return shared.baseAddress.unsafelyUnwrapped
    }

    private func work(as thread: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > 100_000 {
                    condition.lock()
                    while generation.load(ordering: .acquiring) == seen { condition.wait() }
                    condition.unlock()
                }
            }
            seen = generation.load(ordering: .acquiring)
            if let job {
                for task in Self.share(of: thread, threads: threads, tasks: jobTasks) { job(task, thread) }
            }
            finished.add(1, ordering: .releasing)
        }
    }
}
