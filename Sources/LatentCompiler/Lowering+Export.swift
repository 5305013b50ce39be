import LatentIR
import LatentSpec

/// A forward phase to export as a standalone graph (an ONNX model): where it goes, and the
/// shape each of its inputs and its output has outside Latent (an image `[1, H, W]` where
/// the phase reads or returns one as rows, which it flattens channels last: with one
/// channel, the only kind data images have, both orders agree; images of several channels
/// stay rows).
public struct ExportedGraph: Sendable {
    /// The file's path in the export folder, without extension: `decode`, `encode`,
    /// `networks/NAME`.
    public var file: String
    public var phase: Phase
    /// Per example, by input name and for the output (`phase.outputName`).
    public var shapes: [String: [Int]]
}

extension Lowering {
    /// What `latent export` writes, over the inference program's parameters: every network
    /// alone (input `input`, plus `joined` for a network with a join layer; output
    /// `output`), `decode` (the latents' codes -> the model's mean of x: sampling, given
    /// codes drawn from the priors) and, for a model with an inference section, `encode`
    /// (x -> codes). Phases are cleaned (dead code, repeated values) but not fused: fused
    /// kernels are the executor's, not a portable graph's.
    public static func exportedGraphs(_ model: CheckedModel, name: String) -> [ExportedGraph] {
        let context = LoweringContext(model: model, training: false)
        let data = model.spec.data.shape.value
        let codes = [context.codeWidth]
        func clean(_ phase: Phase) -> Phase { CommonSubexpressionElimination.run(DeadCodeElimination.run(phase)) }
        var graphs = [ExportedGraph(file: "decode", phase: clean(context.decodePhase()), shapes: [InputName.codes: codes, "mean": data])]
        if !model.spec.inference.isEmpty {
            graphs.append(
                ExportedGraph(
                    file: "encode", phase: clean(context.encodePhase()),
                    shapes: [InputName.data: data, InputName.codes: codes]))
        }
        for network in model.spec.networks {
            let name = network.name.value
            guard let shape = model.networkShapes[name] else { continue }
            var b = PhaseBuilder(context, readsData: false)
            var inputs = [b.tape.emit(.input("input"), type: .rows(shape.inputWidth))]
            // An image with several channels crosses a network's edge as rows in Latent's
            // channels-last order, which a [C, H, W] shape would misdescribe: it stays rows.
            func outside(_ dims: [Int]) -> [Int] { dims.count == 3 && dims[0] > 1 ? [dims.reduce(1, *)] : dims }
            var shapes = ["input": outside(shape.input), "output": outside(shape.output)]
            if shape.joined > 0 {
                inputs.append(b.tape.emit(.input("joined"), type: .rows(shape.joined)))
                shapes["joined"] = [shape.joined]
            }
            let output = b.apply(name, to: inputs)
            graphs.append(
                ExportedGraph(
                    file: "networks/\(name)", phase: clean(b.finish(name, updates: [], loss: output, output: "output")),
                    shapes: shapes))
        }
        return graphs
    }
}
