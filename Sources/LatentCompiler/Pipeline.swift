import LatentIR
import LatentSpec

/// The compiler's stages for one spec, each a pure function of the one before.
public struct Pipeline: Sendable {
    public let model: CheckedModel
    /// The lowered forward tapes.
    public let ir: Program
    /// With the backward pass appended.
    public let grad: Program

    /// Runs every stage; nil (with diagnostics) if the spec has errors.
    public static func compile(_ file: SourceFile, name: String) -> (pipeline: Pipeline?, diagnostics: DiagnosticList) {
        var (model, diagnostics) = Checker.check(file)
        guard let model else { return (nil, diagnostics) }
        do {
            let ir = try Lowering.lower(model, name: name)
            return (Pipeline(model: model, ir: ir, grad: Autodiff.differentiate(ir)), diagnostics)
        } catch {
            diagnostics.error(error.message, at: error.location)
            return (nil, diagnostics)
        }
    }
}
