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

    @Option(help: "Output format: text, or json (the files written and skipped, on standard output).")
    var format: ReportFormat = .text

    func run() throws {
        let trained = try TrainedRun(path: runPath)
        let graphs = Lowering.exportedGraphs(trained.pipeline.model, name: trained.pipeline.ir.name)
        do {
            try FileManager.default.createDirectory(atPath: onnx + "/networks", withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.data("cannot create \(onnx)/networks: \(error.localizedDescription)")
        }
        var written: [[String: Any]] = []
        var skipped: [[String: Any]] = []
        for graph in graphs {
            let path = "\(onnx)/\(graph.file).onnx"
            let model: Data
            do {
                model = try ONNXModel.serialized(
                    graph.phase, parameters: trained.inference.parameters, store: trained.store, shapes: graph.shapes)
            } catch {
                if format == .text { printError("skipped \(path): \(error)") }
                skipped.append(["path": path, "reason": "\(error)"])
                continue
            }
            try RunDirectory.write(model, to: path)
            // Each input's and the output's name and shape per example.
            var values = graph.phase.instructions.compactMap { instruction -> (name: String, shape: [Int])? in
                guard case .input(let name) = instruction.op else { return nil }
                return (name, graph.shapes[name] ?? ONNXModel.rowShape(instruction.type))
            }
            let output = graph.phase.outputName
            let outputType = graph.phase.instructions[graph.phase.loss.index].type
            values.append((output, graph.shapes[output] ?? ONNXModel.rowShape(outputType)))
            if format == .text {
                let shapes = values.map { "\($0.name) [" + (["N"] + $0.shape.map(String.init)).joined(separator: ", ") + "]" }
                print("wrote \(path): \(shapes.dropLast().joined(separator: ", ")) -> \(shapes.last ?? "")")
            }
            written.append([
                "path": path, "inputs": values.dropLast().map(\.name), "output": output,
                "shapes": Dictionary(uniqueKeysWithValues: values.map { ($0.name, $0.shape) }),
            ])
        }
        if format == .json {
            let report: [String: Any] = ["written": written, "skipped": skipped]
            let data = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
