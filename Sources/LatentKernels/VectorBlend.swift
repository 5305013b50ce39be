extension SIMD16 where Scalar == Float {
    /// `other` in the lanes `mask` sets, `self` in the rest, as one bitwise blend. The
    /// standard library's `replacing(with:where:)` splits a 16-lane vector into four and
    /// moves lanes under masks one part at a time (and scalarises `log` entirely).
    @inline(__always)
    func blending(_ other: SIMD16<Float>, where mask: SIMDMask<SIMD16<Int32>>) -> SIMD16<Float> {
        let lanes = unsafeBitCast(mask._storage, to: SIMD16<UInt32>.self)
        let mine = unsafeBitCast(self, to: SIMD16<UInt32>.self)
        let theirs = unsafeBitCast(other, to: SIMD16<UInt32>.self)
        return unsafeBitCast((theirs & lanes) | (mine & ~lanes), to: SIMD16<Float>.self)
    }

    @inline(__always)
    func blending(_ value: Float, where mask: SIMDMask<SIMD16<Int32>>) -> SIMD16<Float> {
        blending(SIMD16(repeating: value), where: mask)
    }

    /// |x|, by clearing the sign bits.
    @inline(__always)
    var magnitude: SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
    }
}
