import Foundation

/// Philox4x32-10 (Salmon et al. 2011, Random123): a counter-based generator. The numbers
/// of a random op are a pure function of (seed, step, stream, element), so any thread can
/// draw any element, and a seed gives the same numbers at any thread count and after any
/// pass.
public struct Philox: Sendable {
    public var key: (UInt32, UInt32)

    public init(seed: UInt64) { key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }

    /// Four 32-bit words for a counter.
    public func block(_ counter: (UInt32, UInt32, UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter
        var k = key
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) * UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) * UInt64(c.2)
            c = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0)
            )
            k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85)
        }
        return c
    }

    /// Word `index` of the stream `stream` at training step `step`.
    public func word(step: UInt64, stream: Int, index: Int) -> UInt32 {
        let words = block(
            (
                UInt32(truncatingIfNeeded: index / 4), UInt32(truncatingIfNeeded: stream),
                UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)
            ))
        switch index % 4 {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    /// A uniform on (0, 1] from a word (24 bits, exact in float32).
    public static func uniform(_ word: UInt32) -> Double { Double((word >> 8) + 1) * 0x1p-24 }

    /// Element `index` of a standard normal stream: Box-Muller on words 2i and 2i+1.
    public func normal(step: UInt64, stream: Int, index: Int) -> Double {
        Self.boxMuller(
            word(step: step, stream: stream, index: 2 * index), word(step: step, stream: stream, index: 2 * index + 1))
    }

    /// Elements 0..<count of a standard normal stream written through `write(i, value)`:
    /// the same numbers as `normal(step:stream:index:)`, with each Philox block (four words,
    /// two normals) computed once instead of once per word.
    @inline(__always)
    public func normals(step: UInt64, stream: Int, count: Int, _ write: (Int, Double) -> Void) {
        normals(step: step, stream: stream, from: 0, count: count) { write($0, $1) }
    }

    /// Elements start..<start+count of a standard normal stream, element start+i written
    /// through `write(i, value)` (each block computed once).
    @inline(__always)
    public func normals(step: UInt64, stream: Int, from start: Int, count: Int, _ write: (Int, Double) -> Void) {
        var index = start
        let end = start + count
        while index < end {
            let words = block(
                (
                    UInt32(truncatingIfNeeded: index / 2), UInt32(truncatingIfNeeded: stream),
                    UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)
                ))
            if index % 2 == 0 {
                write(index - start, Self.boxMuller(words.0, words.1))
                if index + 1 < end { write(index + 1 - start, Self.boxMuller(words.2, words.3)) }
                index += 2
            } else {
                write(index - start, Self.boxMuller(words.2, words.3))
                index += 1
            }
        }
    }

    /// A standard normal from two words (Box-Muller, the cosine half).
    @inline(__always)
    static func boxMuller(_ first: UInt32, _ second: UInt32) -> Double {
        (-2 * Foundation.log(uniform(first))).squareRoot() * Foundation.cos(2 * Double.pi * uniform(second))
    }

    /// Element `index` of a uniform stream, on (0, 1].
    public func uniform(step: UInt64, stream: Int, index: Int) -> Double {
        Self.uniform(word(step: step, stream: stream, index: index))
    }
}
