extension Kernels {
    /// The alignment of every float buffer the kernels read: a cache line. malloc gives 16
    /// bytes, so each 16-lane load and store of a buffer would straddle two lines.
    public static let bufferAlignment = 64

    /// Zeroed floats (at least one, so the pointer is always valid) starting on a cache line;
    /// free them with `deallocate()`.
    public static func alignedZeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let floats = max(1, count)
        let pointer = UnsafeMutableRawPointer.allocate(
            byteCount: floats * MemoryLayout<Float>.stride, alignment: bufferAlignment
        ).bindMemory(to: Float.self, capacity: floats)
        pointer.initialize(repeating: 0, count: floats)
        return pointer
    }
}
