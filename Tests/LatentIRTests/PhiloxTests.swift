import Foundation
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
        // The bulk form (one block per two normals) gives the same numbers, odd counts too.
        for count in [1, 2, 7, 1000] {
            var bulk = [Double](repeating: .nan, count: count)
            philox.normals(step: 3, stream: 1, count: count) { bulk[$0] = $1 }
            XCTAssertEqual(bulk, Array(draws.prefix(count)))
        }
        for start in [1, 2, 3, 10] {
            var part = [Double](repeating: .nan, count: 7)
            philox.normals(step: 3, stream: 1, from: start, count: 7) { part[$0] = $1 }
            XCTAssertEqual(part, Array(draws[start..<(start + 7)]), "from \(start)")
        }
    }
}

/// Prior draws: a mixture's component choice and its Gaussian noise come from separate
/// random words, so every component's samples spread with the component's own std.
final class PriorSamplingTests: XCTestCase {
    func testMixtureDrawsSpreadAsTheirComponents() {
        let prior = Prior.ringMixture(components: 8, radius: 4, std: 0.5)
        let philox = Philox(seed: 3)
        var residuals = [[[Double]]](repeating: [[], []], count: 8)
        var counts = [Int](repeating: 0, count: 8)
        for row in 0..<8000 {
            let z = prior.sample(row: row, width: 2, philox: philox, step: 0, stream: 0)
            let angle = atan2(z[1], z[0])
            let component = (Int((angle / (2 * Double.pi) * 8).rounded()) + 8) % 8
            counts[component] += 1
            let centre = [
                4 * cos(2 * Double.pi * Double(component) / 8), 4 * sin(2 * Double.pi * Double(component) / 8),
            ]
            for j in 0..<2 { residuals[component][j].append(z[j] - centre[j]) }
        }
        // Per component: a shared word would tie each component to a band of noise radii.
        for component in 0..<8 {
            for j in 0..<2 {
                let values = residuals[component][j]
                let mean = values.reduce(0, +) / Double(values.count)
                let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
                XCTAssertEqual(std, 0.5, accuracy: 0.06, "component \(component) dimension \(j)")
            }
        }
        for count in counts { XCTAssertEqual(Double(count), 1000, accuracy: 150) }
    }

    /// A categorical prior's one-hot draws cover every class equally (the real side of a
    /// clustering AAE's label adversary).
    func testCategoricalDrawsAreUniformOneHots() {
        let prior = Prior.categorical(probabilities: Array(repeating: 1.0 / 16, count: 16))
        let philox = Philox(seed: 5)
        var counts = [Int](repeating: 0, count: 16)
        for row in 0..<16000 {
            let y = prior.sample(row: row, width: 16, philox: philox, step: 2, stream: 1)
            XCTAssertEqual(y.reduce(0, +), 1)
            if let hot = y.firstIndex(of: 1) { counts[hot] += 1 }
        }
        // 1,000 expected per class; the binomial s.d. is about 31.
        for count in counts { XCTAssertEqual(Double(count), 1000, accuracy: 130) }
    }

    /// A one-hot label picks its part of the prior (AAE section 2.3): class k of 10 draws from
    /// the k-th tenth of a swiss roll's arc, covering it, and from the k-th component of a
    /// ring of 10; a row of zeros (no label) picks no part, and draws cover the whole arc.
    func testALabelPicksItsPartOfThePrior() throws {
        let philox = Philox(seed: 5)
        let roll = Prior.swissRoll(noise: 0)
        func arcPosition(_ z: [Double]) -> Double {  // |z| = t / 10 on the noiseless roll
            let t = 10 * (z[0] * z[0] + z[1] * z[1]).squareRoot()
            return (t / (1.5 * Double.pi) - 1) / 2
        }
        for k in 0..<10 {
            let label = (0..<10).map { $0 == k ? 1.0 : 0.0 }
            let part = try XCTUnwrap(Prior.part(ofLabel: { label[$0] }, count: 10))
            XCTAssertEqual(part.index, k)
            let positions = (0..<400).map {
                arcPosition(roll.sample(row: $0, width: 2, part: part, philox: philox, step: 0, stream: 1))
            }
            let low = Double(k) / 10
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(positions.min()), low - 1e-9, "class \(k)")
            XCTAssertLessThanOrEqual(try XCTUnwrap(positions.max()), low + 0.1 + 1e-9, "class \(k)")
            XCTAssertLessThan(try XCTUnwrap(positions.min()) - low, 0.002, "class \(k) reaches its stretch's start")
            XCTAssertGreaterThan(try XCTUnwrap(positions.max()) - low, 0.098, "class \(k) reaches its stretch's end")

            let ring = Prior.ringMixture(components: 10, radius: 4, std: 0.5)
            let draws = (0..<400).map { ring.sample(row: $0, width: 2, part: part, philox: philox, step: 0, stream: 2) }
            let angle = 2 * Double.pi * Double(k) / 10
            XCTAssertEqual(draws.reduce(0) { $0 + $1[0] } / 400, 4 * cos(angle), accuracy: 0.1, "component \(k)")
            XCTAssertEqual(draws.reduce(0) { $0 + $1[1] } / 400, 4 * sin(angle), accuracy: 0.1, "component \(k)")
        }
        XCTAssertNil(Prior.part(ofLabel: { _ in 0 }, count: 10))
        let whole = (0..<2000).map { arcPosition(roll.sample(row: $0, width: 2, philox: philox, step: 0, stream: 3)) }
        XCTAssertLessThan(try XCTUnwrap(whole.min()), 0.01)
        XCTAssertGreaterThan(try XCTUnwrap(whole.max()), 0.99)
        XCTAssertTrue(Prior.swissRoll(noise: 0).splits(into: 7))
        XCTAssertTrue(ringSplits(10))
        XCTAssertFalse(ringSplits(8))
        XCTAssertFalse(Prior.normal(mean: [0], std: [1]).splits(into: 10))
    }

    private func ringSplits(_ parts: Int) -> Bool {
        Prior.ringMixture(components: 10, radius: 4, std: 0.5).splits(into: parts)
    }
}
