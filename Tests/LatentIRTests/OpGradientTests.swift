import LatentIR
import LatentTestSupport
import XCTest

/// Every op's backward against central finite differences, in double precision.
final class OpGradientTests: XCTestCase {
    /// Builds `loss = mean(op(inputs) * w)` with the inputs as trained parameters and a fixed
    /// random weighting `w`, differentiates it, and compares with finite differences.
    func check(
        _ name: String, inputs shapes: [[Int]], positive: Bool = false, tolerance: Double = 1e-6,
        _ body: (inout TapeBuilder, [ValueID]) -> ValueID, file: StaticString = #filePath, line: UInt = #line
    ) {
        var random = TestRandom(UInt64(name.hashValue & 0xFFFF) | 1)
        var parameters = shapes.enumerated().map { index, shape in
            Parameter(name: "p\(index)", network: "theta", shape: shape, initializer: .zeros)
        }
        var tape = TapeBuilder()
        _ = tape.emit(.input(InputName.data), type: Shape([.batch, .fixed(1)]))
        let inputs = shapes.indices.map { tape.emit(.parameter($0), type: Shape(shapes[$0].map { .fixed($0) })) }
        let output = body(&tape, inputs)
        let outputShape = tape.type(of: output).dims.map { $0.size(batch: 1, samples: 1) }
        parameters.append(Parameter(name: "w", network: "fixed", shape: outputShape, initializer: .zeros))
        let weight = tape.emit(.parameter(parameters.count - 1), type: tape.type(of: output))
        let loss = tape.meanAll(tape.mul(output, weight))
        let phase = Phase(name: name, updates: ["theta"], reads: .data, instructions: tape.instructions, loss: loss)
        let differentiated = Autodiff.differentiate(phase, parameters: parameters)
        XCTAssertEqual(
            differentiated.gradients.map(\.parameter), Array(shapes.indices), "\(name): gradient set", file: file,
            line: line)
        let values =
            shapes.map { random.tensor($0, scale: positive ? 0.5 : 1, offset: positive ? 2 : 0) }
            + [random.tensor(outputShape)]
        let interpreter = ReferenceInterpreter(parameters: values, data: Tensor(shape: [1, 1]))
        let (error, analytic, numeric) = GradientCheck.worstError(differentiated, interpreter: interpreter)
        XCTAssertLessThan(error, tolerance, "\(name): analytic \(analytic), numeric \(numeric)", file: file, line: line)
    }

    func testMatmul() {
        check("matmul", inputs: [[3, 4], [4, 5]]) { t, p in
            t.emit(.matmul(p[0], p[1], transposeA: false, transposeB: false))
        }
        check("matmul rank 3", inputs: [[2, 3, 4], [4, 2]]) { t, p in
            t.emit(.matmul(p[0], p[1], transposeA: false, transposeB: false))
        }
    }

    func testUnaryFunctions() {
        let functions: [UnaryFunction] = [
            .neg, .exp, .square, .softplus, .sigmoid, .logSigmoid, .tanh, .relu, .elu, .leakyRelu(slope: 0.2),
        ]
        for function in functions {
            check("\(function)", inputs: [[3, 4]]) { t, p in t.unary(function, p[0]) }
        }
        check("log", inputs: [[3, 4]], positive: true) { t, p in t.unary(.log, p[0]) }
    }

    func testBinaryFunctionsWithBroadcasting() {
        let pairs: [([Int], [Int])] = [
            ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], [3, 1]), ([2, 3, 4], [3, 4]), ([3, 4], []),
        ]
        for function in [BinaryFunction.add, .sub, .mul] {
            for (a, b) in pairs {
                check("\(function) \(a) \(b)", inputs: [a, b]) { t, p in t.emit(.binary(function, p[0], p[1])) }
                check("\(function) \(b) \(a)", inputs: [b, a]) { t, p in t.emit(.binary(function, p[0], p[1])) }
            }
        }
        for (a, b) in pairs {
            check("div \(a) \(b)", inputs: [a, b], positive: true) { t, p in t.div(p[0], p[1]) }
        }
    }

    /// Each image op on odd geometries, squared so the gradient depends on the values.
    func testImageOps() {
        for g in ConvGeometry.oddCases {
            let image = [2, g.height, g.width, g.channels]
            let patches = [2, g.gridHeight, g.gridWidth, g.patchSize]
            check("patches \(g)", inputs: [image]) { t, p in t.unary(.square, t.emit(.patches(p[0], g))) }
            check("unpatches \(g)", inputs: [patches]) { t, p in t.unary(.square, t.emit(.unpatches(p[0], g))) }
            check("conv \(g)", inputs: [image, [g.patchSize, 3]]) { t, p in
                t.unary(.tanh, t.emit(.matmul(t.emit(.patches(p[0], g)), p[1], transposeA: false, transposeB: false)))
            }
            check("deconv \(g)", inputs: [[2, g.gridHeight, g.gridWidth, 3], [3, g.patchSize]]) { t, p in
                t.unary(.tanh, t.emit(.unpatches(t.emit(.matmul(p[0], p[1], transposeA: false, transposeB: false)), g)))
            }
        }
        // A training batch norm as lowering writes it (the batch's statistics per channel, the
        // last axis), with each activation it joins; the statistics' dependence on x included.
        for (shape, f) in [([2, 3, 4], nil), ([3, 5], UnaryFunction.relu), ([2, 2, 3, 5], .leakyRelu(slope: 0.2))] {
            let channels = shape[shape.count - 1]
            check("batch norm \(shape) \(f.map { "\($0)" } ?? "")", inputs: [shape, [channels], [channels]]) { t, p in
                let moments = t.emit(.batchMoments(p[0]))
                return t.unary(.tanh, t.emit(.batchNorm(p[0], moments: moments, scale: p[1], shift: p[2], f)))
            }
        }
        check("reshape", inputs: [[2, 3, 4]]) { t, p in
            t.unary(.square, t.emit(.reshape(p[0]), type: Shape([.fixed(2), .fixed(12)])))
        }
    }

    func testShapeOps() {
        check("concat", inputs: [[3, 2], [3, 4]]) { t, p in t.emit(.concat([p[0], p[1]])) }
        check("slice", inputs: [[3, 6]]) { t, p in t.emit(.slice(p[0], offset: 2, width: 3)) }
        check("two slices", inputs: [[3, 6]]) { t, p in
            t.mul(t.emit(.slice(p[0], offset: 0, width: 3)), t.emit(.slice(p[0], offset: 3, width: 3)))
        }
    }

    func testReductions() {
        check("sum_last", inputs: [[3, 4]]) { t, p in t.sumLast(p[0]) }
        check("logsumexp_first", inputs: [[4, 3, 1]]) { t, p in t.emit(.logSumExpFirst(p[0])) }
        check("mean", inputs: [[3, 4]]) { t, p in t.meanAll(p[0]) }
        check("mean_first", inputs: [[4, 3, 2]]) { t, p in t.emit(.meanFirst(p[0])) }
        check("expand", inputs: [[3, 2]]) { t, p in
            t.emit(.expand(p[0]), type: Shape([.fixed(4), .fixed(3), .fixed(2)]))
        }
        check("log_softmax", inputs: [[3, 5]]) { t, p in t.emit(.logSoftmax(p[0])) }
    }

    func testPriorLogDensities() {
        let priors: [Prior] = [
            .normal(mean: [0], std: [1]), .normal(mean: [1, -1], std: [0.5, 2]),
            .mixture([
                Prior.Component(weight: 0.3, mean: [-1], std: [1]),
                Prior.Component(weight: 0.7, mean: [1, 2], std: [0.5]),
            ]),
            .ringMixture(components: 5, radius: 2, std: 0.7), .categorical(probabilities: [0.2, 0.8]),
            .uniform(low: -3, high: 3),
        ]
        for prior in priors {
            check("log_density \(prior.description)", inputs: [[3, 2]]) { t, p in t.emit(.logPrior(prior, p[0])) }
        }
    }

    func testStopGradientBlocksTheGradient() {
        var tape = TapeBuilder()
        _ = tape.emit(.input(InputName.data), type: Shape([.batch, .fixed(1)]))
        let p = tape.emit(.parameter(0), type: Shape([.fixed(2)]))
        let loss = tape.meanAll(tape.mul(tape.emit(.stopGradient(p)), p))
        let phase = Phase(name: "s", updates: ["theta"], reads: .data, instructions: tape.instructions, loss: loss)
        let parameters = [Parameter(name: "p", network: "theta", shape: [2], initializer: .zeros)]
        let differentiated = Autodiff.differentiate(phase, parameters: parameters)
        let interpreter = ReferenceInterpreter(
            parameters: [Tensor(shape: [2], values: [3, 5])], data: Tensor(shape: [1, 1]))
        // d/dp mean(stop(p) * p) = stop(p) / 2, not p.
        XCTAssertEqual(interpreter.outputs(of: differentiated)[1].values, [1.5, 2.5])
    }
}
