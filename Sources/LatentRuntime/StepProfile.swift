import Foundation
import LatentIR

/// Where training time goes, accumulated over the steps run with it: matrix products (with
/// their floating-point operations), elementwise kernels, other instructions, optimizer
/// updates and batch filling, and each phase's wall time.
public final class StepProfile {
    public var gemmSeconds = 0.0
    public var gemmFlops = 0.0
    public var elementwiseSeconds = 0.0
    public var otherSeconds = 0.0
    public var optimizerSeconds = 0.0
    public var dataSeconds = 0.0
    /// A data-parallel step's gradient exchanges: time (waiting for the slowest process and
    /// the local copies and sums included) and the bytes received from other processes.
    public var exchangeSeconds = 0.0
    public var exchangeBytes = 0.0
    /// Per phase of the program: wall time and runs.
    public var phaseSeconds: [Double]
    public var phaseRuns: [Int]
    /// Per instruction of the step: seconds, and matrix-product FLOPs.
    public var instructionSeconds: [Double] = []
    public var instructionFlops: [Double] = []

    public init(phases: Int) {
        phaseSeconds = Array(repeating: 0, count: phases)
        phaseRuns = Array(repeating: 0, count: phases)
    }

    /// Seconds on a monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
