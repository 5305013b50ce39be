import ArgumentParser
import Foundation
import Latent

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
        let (written, skipped) = try TrainedRun(path: runPath).exportONNX(to: onnx)
        func described(_ value: (name: String, shape: [Int])) -> String {
            "\(value.name) [" + (["N"] + value.shape.map(String.init)).joined(separator: ", ") + "]"
        }
        guard format == .json else {
            for model in written {
                print("wrote \(model.path): \(model.inputs.map(described).joined(separator: ", ")) -> \(described(model.output))")
            }
            for (path, reason) in skipped { printError("skipped \(path): \(reason)") }
            return
        }
        let report: [String: Any] = [
            "written": written.map { model -> [String: Any] in
                [
                    "path": model.path, "inputs": model.inputs.map(\.name), "output": model.output.name,
                    "shapes": Dictionary(uniqueKeysWithValues: (model.inputs + [model.output]).map { ($0.name, $0.shape) }),
                ]
            },
            "skipped": skipped.map { ["path": $0.path, "reason": $0.reason] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
    }
}
