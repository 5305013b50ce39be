import LatentIR
import LatentSpec

/// The compiler's stages for one spec, each a pure function of the one before.
public struct Pipeline: Sendable {
    public let model: CheckedModel
    /// The lowered forward tapes, one per phase.
    public let ir: Program
    /// Each phase with its backward pass appended, and the training step assembled from
    /// them with the optimizer updates.
    public let grad: Program
    /// After dead-code elimination, common-subexpression elimination (across the phases of
    /// the step), fusion, and the updates moved to follow their gradients.
    public let fused: Program
    /// With the step's arena planned for the spec's batch size.
    public let planned: Program

    /// Runs every stage; nil (with diagnostics) if the spec has errors.
    public static func compile(_ file: SourceFile, name: String) -> (pipeline: Pipeline?, diagnostics: DiagnosticList) {
        let (model, diagnostics) = Checker.check(file)
        guard let model else { return (nil, diagnostics) }
        let ir = Lowering.lower(model, name: name)
        var grad = Autodiff.differentiate(ir)
        grad.step = StepLowering.lower(grad)
        var fused = grad.mapPhases { optimize($0) }
        fused.step = grad.step.map { UpdateScheduling.run(optimize($0)) }
        let planned = fused.planned(batch: model.spec.training.batch.value)
        return (Pipeline(model: model, ir: ir, grad: grad, fused: fused, planned: planned), diagnostics)
    }

    /// Dead-code elimination, common-subexpression elimination and fusion.
    public static func optimize<T: Tape>(_ tape: T, updatesInProducts: Bool = true) -> T {
        Fusion.run(
            CommonSubexpressionElimination.run(DeadCodeElimination.run(tape)), updatesInProducts: updatesInProducts)
    }

    /// The step of a data-parallel run (`shards` > 1), planned for one shard of `batch`
    /// examples: optimized as `fused` is, except that every gradient is stored and the
    /// updates come in groups (`UpdateScheduling.grouped`), so that the shards' gradients
    /// can be summed, in shard order, before each group.
    public func shardedStep(batch: Int, shards: Int) -> Program {
        var program = fused
        program.step = grad.step.map { UpdateScheduling.grouped(Pipeline.optimize($0, updatesInProducts: false)) }
        return program.planned(batch: batch / max(shards, 1))
    }
}

extension Program {
    /// The program with its training step's arena planned for `batch` examples.
    public func planned(batch: Int) -> Program {
        var program = self
        program.step = step.map { MemoryPlanner.run($0, batch: batch, samples: samples) }
        return program
    }
}

extension Pipeline {
    /// The model's inference program (see `Lowering.inference`) after dead-code elimination,
    /// common-subexpression elimination and fusion; plan it for the batch it will run.
    public func inference() -> Program {
        Lowering.inference(model, name: ir.name).mapPhases { Pipeline.optimize($0) }
    }
}
