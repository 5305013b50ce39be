import Foundation
import LatentCompiler
import LatentIR
import LatentSpec
import LatentTestSupport
import XCTest

/// The training step: optimizing it across phases keeps its meaning (every loss and every
/// updated parameter), shares exactly the values whose parameters, batch and draws are
/// unchanged, and moving updates next to their gradients lowers peak memory.
final class StepTests: XCTestCase {
    /// The interpreter with every batch of `step` given the test's data (and labels).
    func interpreter(_ pipeline: Pipeline, step: Step, seed: UInt64) -> ReferenceInterpreter {
        let spec = pipeline.model.spec
        let classes = pipeline.model.labelWidth
        var interpreter = PhaseGradientTests.interpreter(
            for: pipeline.grad, width: spec.data.width, labels: classes, seed: seed)
        let data = interpreter.inputs[InputName.data]
        let labels = interpreter.inputs[InputName.labels]
        for batch in step.batches {
            interpreter.inputs[batch.data] = data
            if let name = batch.labels { interpreter.inputs[name] = labels }
        }
        interpreter.step = 7
        return interpreter
    }

    /// Each run's loss, then each parameter's value after the step.
    func results(_ step: Step, _ interpreter: ReferenceInterpreter, parameters: Int) -> [Tensor] {
        let values = interpreter.run(step: step)
        var final = interpreter.parameters
        for (index, instruction) in step.instructions.enumerated() {
            if instruction.op.isUpdate, let slot = updatedParameter(step, index) { final[slot] = values[index] }
        }
        return step.runs.map { values[$0.loss.index] } + final.prefix(parameters)
    }

    /// The parameter an update writes, following earlier updates back to the parameter.
    func updatedParameter(_ step: Step, _ index: Int) -> Int? {
        if case .parameter(let p) = step.instructions[index].op { return p }
        return step.instructions[index].op.updatedParameter.flatMap { updatedParameter(step, $0.index) }
    }

    func testOptimizedStepsComputeTheSameLossesAndParameters() throws {
        for url in try Repository.specFiles() {
            let pipeline = try PhaseGradientTests.compile(url)
            let original = try XCTUnwrap(pipeline.grad.step)
            let optimized = try XCTUnwrap(pipeline.fused.step)
            let name = url.lastPathComponent
            XCTAssertLessThan(optimized.instructions.count, original.instructions.count, "\(name): nothing removed")
            let interpreter = interpreter(pipeline, step: original, seed: 5)
            let count = pipeline.grad.parameters.count
            let expected = results(original, interpreter, parameters: count)
            let got = results(optimized, interpreter, parameters: count)
            XCTAssertEqual(expected.map(\.shape), got.map(\.shape), name)
            var worst = 0.0
            for (x, y) in zip(expected, got) {
                for (u, v) in zip(x.values, y.values) { worst = max(worst, abs(u - v) / max(1, abs(u))) }
            }
            XCTAssertLessThan(worst, 1e-9, "\(name): the optimized step computes something else")
            // Every update happened: each updated parameter moved.
            let initial = interpreter.parameters
            for slot in optimized.slots {
                let moved = zip(initial[slot.parameter].values, got[optimized.runs.count + slot.parameter].values)
                    .contains { $0 != $1 }
                XCTAssertTrue(moved, "\(name): \(slot.phase) did not update parameter \(slot.parameter)")
            }
        }
    }

    /// `optimizer_state: shared` gives each parameter one slot, which every phase training
    /// it updates: an AAE's encoder is updated twice per step from one Adam state, so its
    /// weights end elsewhere than with a state per phase; with SGD, which has no state,
    /// both end at the same weights.
    func testSharedOptimizerStateIsOneSlotPerParameter() throws {
        let text = try String(contentsOf: Repository.specs.appendingPathComponent("aae.yaml"), encoding: .utf8)
        func step(_ text: String) throws -> (Pipeline, Step) {
            let (pipeline, diagnostics) = Pipeline.compile(SourceFile(path: "aae.yaml", text: text), name: "aae")
            let compiled = try XCTUnwrap(pipeline, "\(diagnostics.all.map(\.message))")
            return (compiled, try XCTUnwrap(compiled.fused.step))
        }
        func finalParameters(_ text: String) throws -> [Tensor] {
            let (pipeline, step) = try step(text)
            let count = pipeline.grad.parameters.count
            return Array(results(step, interpreter(pipeline, step: step, seed: 5), parameters: count).suffix(count))
        }
        let shared = text.replacingOccurrences(of: "training:\n", with: "training:\n  optimizer_state: shared\n")
        XCTAssertNotEqual(shared, text)
        let (_, perPhaseStep) = try step(text)
        let (sharedPipeline, sharedStep) = try step(shared)
        XCTAssertEqual(Set(sharedStep.slots.map(\.parameter)).count, sharedStep.slots.count)
        XCTAssertEqual(Set(sharedStep.slots.map(\.parameter)), Set(perPhaseStep.slots.map(\.parameter)))
        let encoder = Set(sharedPipeline.grad.parameters.indices.filter { sharedPipeline.grad.parameters[$0].network == "encoder" })
        XCTAssertGreaterThan(perPhaseStep.slots.filter { encoder.contains($0.parameter) }.count, encoder.count)

        let moved = zip(try finalParameters(text), try finalParameters(shared)).contains { $0.values != $1.values }
        XCTAssertTrue(moved, "shared Adam state leaves the weights where per-phase state does")
        let sgd = { (spec: String) in
            spec.replacingOccurrences(of: #"adam\([^)]*\)"#, with: "sgd(lr=0.01)", options: .regularExpression)
        }
        XCTAssertEqual(try finalParameters(sgd(text)).map(\.values), try finalParameters(sgd(shared)).map(\.values))
    }

    /// `adversarial_weight: 3` multiplies the encoder's adversarial loss and its gradients by
    /// 3 and changes no other phase.
    func testAdversarialWeightScalesTheEncodersAdversarialLoss() throws {
        let text = try String(contentsOf: Repository.specs.appendingPathComponent("aae.yaml"), encoding: .utf8)
        let weighted = text.replacingOccurrences(of: "  kind: aae\n", with: "  kind: aae\n  adversarial_weight: 3\n")
        XCTAssertNotEqual(weighted, text)
        func outputs(_ text: String) throws -> [String: [Tensor]] {
            let (pipeline, diagnostics) = Pipeline.compile(SourceFile(path: "aae.yaml", text: text), name: "aae")
            let compiled = try XCTUnwrap(pipeline, "\(diagnostics.all.map(\.message))")
            let interpreter = PhaseGradientTests.interpreter(
                for: compiled.grad, width: compiled.model.spec.data.width, labels: nil, seed: 3)
            return Dictionary(uniqueKeysWithValues: compiled.grad.phases.map { ($0.name, interpreter.outputs(of: $0)) })
        }
        let plain = try outputs(text)
        let scaled = try outputs(weighted)
        for (phase, values) in plain {
            let factor = phase == "regularization_generator" ? 3.0 : 1.0
            let got = try XCTUnwrap(scaled[phase])
            for (a, b) in zip(values, got) {
                for (x, y) in zip(a.values, b.values) { XCTAssertEqual(y, factor * x, accuracy: 1e-9 * max(1, abs(x)), phase) }
            }
        }
    }

    /// A data-parallel step (gradients stored, updates held back into groups, each one
    /// exchange between processes) computes the same losses and parameters as the step it
    /// comes from, in the double-precision interpreter, for every spec without batch norm;
    /// a VAE exchanges once a step, a GAN twice (D, then G, which reads D's new weights).
    func testShardedStepsKeepTheirMeaningWithFewExchanges() throws {
        var groups: [String: Int] = [:]
        for url in try Repository.specFiles() {
            let pipeline = try PhaseGradientTests.compile(url)
            let name = url.lastPathComponent
            if pipeline.model.spec.networks.contains(where: { $0.layers.contains { $0.value.kind.isBatchNorm } }) {
                continue
            }
            let original = try XCTUnwrap(pipeline.grad.step)
            let sharded = try XCTUnwrap(pipeline.shardedStep(batch: 100, shards: 2).step)
            XCTAssertFalse(
                sharded.instructions.contains { if case .productUpdate = $0.op { true } else { false } },
                "\(name): an update inside a product cannot wait for other shards' gradients")
            let interpreter = interpreter(pipeline, step: original, seed: 5)
            let count = pipeline.grad.parameters.count
            let expected = results(original, interpreter, parameters: count)
            let got = results(sharded, interpreter, parameters: count)
            var worst = 0.0
            for (x, y) in zip(expected, got) {
                for (u, v) in zip(x.values, y.values) { worst = max(worst, abs(u - v) / max(1, abs(u))) }
            }
            XCTAssertLessThan(worst, 1e-9, "\(name): the sharded step computes something else")
            let isUpdate = sharded.instructions.map(\.op.isUpdate)
            groups[name] = zip(isUpdate, [false] + isUpdate).filter { $0 && !$1 }.count
        }
        XCTAssertEqual(groups["vae.yaml"], 1)
        XCTAssertEqual(groups["gan.yaml"], 2)
        XCTAssertEqual(groups["gan-ring.yaml"], 2)
    }

    /// How many dense layers of the optimized step multiply by parameter `name` as the
    /// step began (not an update of it).
    func productsWith(_ name: String, in spec: String) throws -> Int {
        let pipeline = try PhaseGradientTests.compile(Repository.specs.appendingPathComponent(spec))
        let step = try XCTUnwrap(pipeline.fused.step)
        let index = try XCTUnwrap(pipeline.fused.parameters.firstIndex { $0.name == name })
        return step.instructions.filter { instruction in
            guard case .dense(_, let weight, _, _) = instruction.op else { return false }
            return step.instructions[weight.index].op == .parameter(index)
        }.count
    }

    func testSharedWorkIsComputedOnce() throws {
        // G(z): the discriminator's update changes only D, so the generator's update reuses it.
        XCTAssertEqual(try productsWith("generator.0.weight", in: "gan.yaml"), 1)
        // D's first layer runs on x and on G(z) as the step began, then on G(z) after D's update.
        XCTAssertEqual(try productsWith("D.0.weight", in: "gan.yaml"), 2)
        // The AAE's encoder runs twice: before the reconstruction update, and once for both
        // regularisation phases (the discriminator's update does not touch it).
        XCTAssertEqual(try productsWith("encoder.0.weight", in: "aae.yaml"), 1)
        let aae = try PhaseGradientTests.compile(Repository.specs.appendingPathComponent("aae.yaml"))
        let aaeStep = try XCTUnwrap(aae.fused.step)
        XCTAssertEqual(aaeStep.instructions.filter { if case .dense = $0.op { true } else { false } }.count, 3 + 3 + 3 + 3 + 3 + 3)
        // AVB's ψ update reads the θ, φ update's posterior sample (Algorithm 1).
        XCTAssertEqual(try productsWith("encoder.0.weight", in: "avb.yaml"), 1)
    }

    func testSchedulingUpdatesNextToTheirGradientsLowersPeakMemory() throws {
        for spec in ["vae.yaml", "gan.yaml", "aae.yaml", "avb.yaml"] {
            let pipeline = try PhaseGradientTests.compile(Repository.specs.appendingPathComponent(spec))
            let grad = try XCTUnwrap(pipeline.grad.step)
            let unscheduled = Pipeline.optimize(grad)
            let scheduled = UpdateScheduling.run(unscheduled)
            let before = MemoryPlanner.plan(unscheduled, batch: 100, samples: 1)
            let after = MemoryPlanner.plan(scheduled, batch: 100, samples: 1)
            XCTAssertEqual(after.violations(), [], spec)
            XCTAssertLessThan(after.arenaBytes, before.arenaBytes, spec)
        }
    }

    func testEveryStepPlanIsValidAndReusesMemory() throws {
        for url in try Repository.specFiles() {
            let pipeline = try PhaseGradientTests.compile(url)
            let step = try XCTUnwrap(pipeline.fused.step)
            let interpreter = interpreter(pipeline, step: step, seed: 3)
            let planned = MemoryPlanner.run(step, batch: interpreter.batch, samples: pipeline.fused.samples)
            let plan = try XCTUnwrap(planned.plan)
            XCTAssertEqual(plan.violations(), [], url.lastPathComponent)
            XCTAssertLessThan(plan.arenaBytes, plan.unplannedBytes, "\(url.lastPathComponent) reuses nothing")
        }
    }
}
