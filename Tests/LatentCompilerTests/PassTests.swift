import Foundation
import LatentCompiler
import LatentIR
import LatentSpec
import LatentTestSupport
import XCTest

/// Passes preserve meaning: every phase of every spec gives the same loss and gradients
/// before and after DCE, CSE and fusion, and when run out of its planned arena.
final class PassTests: XCTestCase {
    func assertClose(_ a: [Tensor], _ b: [Tensor], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.map(\.shape), b.map(\.shape), what, file: file, line: line)
        var worst = 0.0
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x.values, y.values) { worst = max(worst, abs(u - v) / max(1, abs(u))) }
        }
        XCTAssertLessThan(worst, 1e-9, what, file: file, line: line)
    }

    func testOptimizedPhasesComputeTheSameLossAndGradients() throws {
        for url in try Repository.specFiles() {
            let pipeline = try PhaseGradientTests.compile(url)
            let spec = pipeline.model.spec
            let classes = pipeline.model.labelWidth
            let interpreter = PhaseGradientTests.interpreter(
                for: pipeline.grad, width: spec.data.width, labels: classes, seed: 5)
            for (original, optimized) in zip(pipeline.grad.phases, pipeline.fused.phases) {
                let name = "\(url.lastPathComponent) \(original.name)"
                XCTAssertLessThan(
                    optimized.instructions.count, original.instructions.count, "\(name): passes removed nothing")
                let expected = interpreter.outputs(of: original)
                assertClose(expected, interpreter.outputs(of: optimized), "\(name): fused")
                let planned = MemoryPlanner.run(optimized, batch: interpreter.batch, samples: pipeline.fused.samples)
                XCTAssertEqual(planned.plan?.violations(), [], name)
                let inArena = try XCTUnwrap(ArenaInterpreter.outputs(of: planned, interpreter: interpreter))
                assertClose(expected, inArena, "\(name): run from the planned arena")
            }
        }
    }

    /// The validator itself catches overlapping live values and values outside the arena.
    func testThePlanValidatorCatchesBadPlans() throws {
        let phase = try XCTUnwrap(
            PhaseGradientTests.compile(Repository.specs.appendingPathComponent("vae.yaml")).planned.step)
        var plan = try XCTUnwrap(phase.plan)
        let placed = plan.offsets.indices.filter { plan.offsets[$0] != nil }
        let (a, b) = try XCTUnwrap(
            placed.lazy.flatMap { a in placed.lazy.filter { $0 > a }.map { (a, $0) } }
                .first { plan.lifetimes[$0.0].overlaps(plan.lifetimes[$0.1]) && plan.storage[$0.0] != plan.storage[$0.1] })
        plan.offsets[b] = plan.offsets[a]
        XCTAssertFalse(plan.violations().isEmpty, "overlap not caught")
        var outside = try XCTUnwrap(phase.plan)
        outside.offsets[a] = outside.arenaBytes
        XCTAssertFalse(outside.violations().isEmpty, "out of bounds not caught")
    }

    /// A reshape of an arena value is that value's bytes (no copy), and the value's bytes
    /// stay reserved until the reshape's last reader.
    func testAReshapeSharesItsOperandsBytes() throws {
        let phase = try XCTUnwrap(
            PhaseGradientTests.compile(Repository.specs.appendingPathComponent("vae-conv.yaml")).planned.step)
        let plan = try XCTUnwrap(phase.plan)
        var shared = 0
        for (index, instruction) in phase.instructions.enumerated() {
            guard case .reshape(let source) = instruction.op, plan.offsets[source.index] != nil else { continue }
            XCTAssertEqual(plan.offsets[index], plan.offsets[source.index], "%\(index)")
            XCTAssertEqual(plan.storage[index], plan.storage[source.index], "%\(index)")
            XCTAssertGreaterThanOrEqual(
                plan.lifetimes[plan.storage[index]].upperBound, plan.lifetimes[index].upperBound, "%\(index)")
            shared += 1
        }
        XCTAssertGreaterThanOrEqual(shared, 4, "the conv VAE's flattens and reshapes")
    }

    /// Patches read only as products' left operands are gathered by them: no bytes of their
    /// own, and their image's bytes stay reserved until the last product has read it.
    func testGatheredPatchesKeepTheirImageAlive() throws {
        let g = ConvGeometry(height: 4, width: 4, channels: 8, kernel: 2, stride: 2, padding: 0, gridHeight: 2, gridWidth: 2)
        var tape = TapeBuilder()
        let x = tape.emit(.input(InputName.data), type: Shape([.batch] + g.imageDims))
        let image = tape.unary(.exp, x)
        let patches = tape.emit(.patches(image, g))
        let w = tape.emit(.vector(Array(repeating: 0.5, count: g.patchSize)), type: Shape([.fixed(g.patchSize), .fixed(1)]))
        let first = tape.emit(.matmul(patches, w, transposeA: false, transposeB: false))
        let later = tape.unary(.tanh, tape.unary(.exp, first))
        let second = tape.emit(.matmul(patches, tape.unary(.neg, w), transposeA: false, transposeB: false))
        let loss = tape.meanAll(tape.add(later, second))
        let phase = Phase(name: "gathered", updates: [], reads: .data, instructions: tape.instructions, loss: loss)
        let fused = Fusion.run(phase)
        let gathered = try XCTUnwrap(
            fused.instructions.firstIndex { if case .gatheredPatches = $0.op { true } else { false } })
        guard case .gatheredPatches(let source, _) = fused.instructions[gathered].op else { return XCTFail() }
        let lastReader = try XCTUnwrap(fused.instructions.lastIndex { $0.op.operands.contains(ValueID(gathered)) })
        XCTAssertGreaterThan(lastReader, gathered + 1, "the second product comes later")
        let plan = MemoryPlanner.plan(fused, batch: 3, samples: 1)
        XCTAssertNil(plan.offsets[gathered])
        XCTAssertGreaterThanOrEqual(plan.lifetimes[source.index].upperBound, lastReader)
        XCTAssertEqual(plan.violations(), [])
    }

    func testDeadCodeAndCommonSubexpressions() {
        var tape = TapeBuilder()
        let x = tape.emit(.input(InputName.data), type: .rows(2))
        let a = tape.unary(.exp, x)
        let b = tape.unary(.exp, x)
        _ = tape.unary(.tanh, x)
        let noise1 = tape.randomNormal(.rows(2))
        let noise2 = tape.randomNormal(.rows(2))
        let loss = tape.meanAll(tape.add(tape.add(a, b), tape.add(noise1, noise2)))
        let phase = Phase(name: "p", updates: [], reads: .data, instructions: tape.instructions, loss: loss)
        let optimized = CommonSubexpressionElimination.run(DeadCodeElimination.run(phase))
        let text = ProgramPrinter.print(optimized, parameters: []).joined(separator: "\n")
        XCTAssertEqual(optimized.instructions.filter { $0.op == .unary(.exp, x) }.count, 1, text)
        XCTAssertFalse(text.contains("tanh"), text)
        XCTAssertEqual(optimized.instructions.filter(\.op.isRandom).count, 2, "random draws must not merge:\n\(text)")
    }
}
