import LatentIR

/// The values of a program's parameters, each in its own stable float32 buffer.
public final class ParameterStore {
    public let parameters: [Parameter]
    let buffers: [UnsafeMutableBufferPointer<Float>]

    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
        buffers = parameters.map { parameter in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, parameter.shape.reduce(1, *)))
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Copies values in (as many as the parameter holds).
    public func set(_ index: Int, _ values: [Float]) {
        for (offset, value) in values.prefix(buffers[index].count).enumerated() { buffers[index][offset] = value }
    }

    public func values(_ index: Int) -> [Float] { Array(buffers[index]) }
}
