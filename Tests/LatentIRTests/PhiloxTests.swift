import LatentIR
import XCTest

final class PhiloxTests: XCTestCase {
    /// Known-answer vectors of Philox4x32-10 from Random123 (kat_vectors).
    func testKnownAnswers() {
        let zero = Philox(seed: 0).block((0, 0, 0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox(seed: 0xFFFF_FFFF_FFFF_FFFF).block((0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
    }

    func testNormalsHaveUnitMomentsAndStreamsDiffer() {
        let philox = Philox(seed: 42)
        let draws = (0..<20_000).map { philox.normal(step: 3, stream: 1, index: $0) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.04)
        XCTAssertNotEqual(philox.normal(step: 3, stream: 2, index: 0), draws[0])
        XCTAssertNotEqual(philox.normal(step: 4, stream: 1, index: 0), draws[0])
        XCTAssertEqual(
            Philox(seed: 42).normal(step: 3, stream: 1, index: 7), draws[7], "a pure function of its counter")
    }
}
