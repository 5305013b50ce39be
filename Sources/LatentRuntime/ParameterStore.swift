import LatentIR
import LatentKernels

/// The values of a program's parameters, each in its own stable float32 buffer.
public final class ParameterStore {
    public let parameters: [Parameter]
    /// Where each parameter's floats start (allocated for at least one float).
    let bases: [UnsafeMutablePointer<Float>]
    let buffers: [UnsafeMutableBufferPointer<Float>]

    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
        let counts = parameters.map { $0.shape.reduce(1, *) }
        bases = counts.map(Kernels.alignedZeros)
        buffers = zip(bases, counts).map { UnsafeMutableBufferPointer(start: $0, count: $1) }
    }

    deinit { for base in bases { base.deallocate() } }

    /// Copies values in (as many as the parameter holds).
    public func set(_ index: Int, _ values: [Float]) {
        for (offset, value) in values.prefix(buffers[index].count).enumerated() { buffers[index][offset] = value }
    }

    public func values(_ index: Int) -> [Float] { Array(buffers[index]) }
}
