import Foundation
import LatentIR
import LatentKernels
import XCTest

/// The float32 vector kernels' functions against libm in double precision, over many
/// magnitudes and the special values (0, negatives, infinities, NaN, subnormals), so a
/// faster polynomial cannot quietly lose accuracy or turn a NaN into a number.
final class VectorMathTests: XCTestCase {
    /// `f` applied by an elementwise kernel to `inputs`.
    func kernel(_ f: UnaryFunction, _ inputs: [Float]) -> [Float] {
        let input = UnsafeMutablePointer<Float>.allocate(capacity: inputs.count)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: inputs.count)
        defer {
            input.deallocate()
            output.deallocate()
        }
        input.initialize(from: inputs, count: inputs.count)
        ElementwiseKernel(
            steps: [.input(0), .unary(f, 0)], sources: [.init(base: input, offsets: nil, splat: false)], rows: 1,
            width: inputs.count, reduction: nil
        ).run(into: output, pool: .with(threads: 2))
        return Array(UnsafeBufferPointer(start: output, count: inputs.count))
    }

    /// Values from 1e-30 to 80 in both signs, densely around 0 and 1.
    let samples: [Float] = (0..<4000).flatMap { i -> [Float] in
        let x = Float(Foundation.pow(10, Double(i) / 4000 * 32 - 30))
        return [x, -x, 1 + Float(i - 2000) * 1e-4]
    }

    /// Within `ulps` units in the last place of the larger of the true value and `floor`
    /// (softplus computes log(1 + e^x), so far left it is accurate to ulps of 1, not of itself).
    func assertClose(
        _ f: UnaryFunction, _ reference: (Double) -> Double, domain: (Float) -> Bool, ulps: Double, floor: Double = 0
    ) {
        let inputs = samples.filter(domain)
        for (x, y) in zip(inputs, kernel(f, inputs)) {
            let want = reference(Double(x))
            guard want.isFinite, abs(want) > Double(Float.leastNormalMagnitude) else { continue }
            let error = abs(Double(y) - want) / (max(abs(want), floor) * Double(Float.ulpOfOne))
            XCTAssertLessThan(error, ulps, "\(f)(\(x)) = \(y), libm says \(want)")
            if error >= ulps { return }
        }
    }

    func testFunctionsAgreeWithLibm() {
        assertClose(.exp, Foundation.exp, domain: { $0 < 88 && $0 > -87 }, ulps: 4)
        assertClose(.log, Foundation.log, domain: { $0 > 0 }, ulps: 4)
        assertClose(.softplus, { Foundation.log1p(Foundation.exp($0)) }, domain: { _ in true }, ulps: 4, floor: 1)
        assertClose(.tanh, Foundation.tanh, domain: { _ in true }, ulps: 8)
        assertClose(.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, domain: { $0 > -80 }, ulps: 8)
        assertClose(.elu, { $0 > 0 ? $0 : Foundation.expm1($0) }, domain: { _ in true }, ulps: 8)
    }

    func testSpecialValues() {
        let special: [Float] = [0, -0.0, -1, .infinity, -.infinity, .nan, Float.leastNonzeroMagnitude, 1e-40]
        let log = kernel(.log, special)
        XCTAssertEqual(log[0], -.infinity)
        XCTAssertEqual(log[1], -.infinity)
        XCTAssertTrue(log[2].isNaN)
        XCTAssertEqual(log[3], .infinity)
        XCTAssertTrue(log[4].isNaN)
        XCTAssertTrue(log[5].isNaN)
        XCTAssertEqual(Double(log[6]), Foundation.log(Double(Float.leastNonzeroMagnitude)), accuracy: 1e-4)
        XCTAssertEqual(Double(log[7]), Foundation.log(1e-40), accuracy: 1e-3)
        // NaN stays NaN through every function, so divergence is always seen.
        for f in [UnaryFunction.exp, .softplus, .sigmoid, .tanh, .relu, .elu, .leakyRelu(slope: 0.2), .square] {
            XCTAssertTrue(kernel(f, [.nan])[0].isNaN, "\(f) of NaN")
        }
        XCTAssertEqual(kernel(.relu, [-2, 3]), [0, 3])
        XCTAssertEqual(kernel(.exp, [-200])[0], 0, accuracy: 1e-37)
    }
}
