import ArgumentParser
import Foundation
import LatentCompiler
import LatentIR
import LatentInterop
import LatentRuntime

/// `latent export RUN --onnx DIR`: the trained model as ONNX models.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model as ONNX models: the decode and encode graphs, and every network alone.",
        discussion: """
            DIR/decode.onnx maps codes (every latent in spec order, [N, width]) to the model's \
            mean of x ([N] + the data's shape): sampling, given codes drawn from the priors. \
            DIR/encode.onnx maps x to codes (Gaussian means, label probabilities), for a model \
            with an inference section. DIR/networks/NAME.onnx is each network alone (input \
            `input`, plus `joined` for a network with a join layer; output `output`). Opset 17, \
            batch size free (N); weights are the checkpoint's. A graph that draws random numbers \
            (an implicit encoder's noise) is skipped with a note: export its network instead, \
            whose noise is an input.
            """)

    @Argument(help: "A run directory made by latent train, or its checkpoint file.")
    var runPath: String

    @Option(help: "The folder to write the ONNX models into (created if missing).")
    var onnx: String

    func run() throws {
        let trained = try TrainedRun(path: runPath)
        let graphs = Lowering.exportedGraphs(trained.pipeline.model, name: trained.pipeline.ir.name)
        do {
            try FileManager.default.createDirectory(atPath: onnx + "/networks", withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.data("cannot create \(onnx)/networks: \(error.localizedDescription)")
        }
        for graph in graphs {
            let path = "\(onnx)/\(graph.file).onnx"
            let model: Data
            do {
                model = try ONNXModel.serialized(
                    graph.phase, parameters: trained.inference.parameters, store: trained.store, shapes: graph.shapes)
            } catch {
                printError("skipped \(path): \(error)")
                continue
            }
            try RunDirectory.write(model, to: path)
            let inputs = graph.phase.instructions.compactMap { instruction -> String? in
                guard case .input(let name) = instruction.op else { return nil }
                return "\(name) \(Self.shape(graph.shapes[name] ?? ONNXModel.rowShape(instruction.type)))"
            }
            let output = graph.phase.outputName
            let outputType = graph.phase.instructions[graph.phase.loss.index].type
            print(
                "wrote \(path): \(inputs.joined(separator: ", ")) -> \(output) "
                    + Self.shape(graph.shapes[output] ?? ONNXModel.rowShape(outputType)))
        }
    }

    static func shape(_ dims: [Int]) -> String { "[" + (["N"] + dims.map(String.init)).joined(separator: ", ") + "]" }
}
