import LatentIR
import LatentSpec

/// The compiler's stages for one spec, each a pure function of the one before.
public struct Pipeline: Sendable {
    public let model: CheckedModel
    /// The lowered forward tapes.
    public let ir: Program
    /// With the backward pass appended.
    public let grad: Program
    /// After dead-code elimination, common-subexpression elimination and fusion.
    public let fused: Program
    /// With each phase's arena planned for the spec's batch size.
    public let planned: Program

    /// Runs every stage; nil (with diagnostics) if the spec has errors.
    public static func compile(_ file: SourceFile, name: String) -> (pipeline: Pipeline?, diagnostics: DiagnosticList) {
        let (model, diagnostics) = Checker.check(file)
        guard let model else { return (nil, diagnostics) }
        let ir = Lowering.lower(model, name: name)
        let grad = Autodiff.differentiate(ir)
        let fused = grad.mapPhases { Fusion.run(CommonSubexpressionElimination.run(DeadCodeElimination.run($0))) }
        let batch = model.spec.training.batch.value
        let planned = fused.mapPhases { MemoryPlanner.run($0, batch: batch, samples: fused.samples) }
        return (Pipeline(model: model, ir: ir, grad: grad, fused: fused, planned: planned), diagnostics)
    }
}

extension Pipeline {
    /// The model's inference program (see `Lowering.inference`) after dead-code elimination,
    /// common-subexpression elimination and fusion; plan it for the batch it will run.
    public func inference() -> Program {
        Lowering.inference(model, name: ir.name).mapPhases {
            Fusion.run(CommonSubexpressionElimination.run(DeadCodeElimination.run($0)))
        }
    }
}
