import Foundation
import LatentCompiler
import LatentIR
import LatentInterop

extension TrainedRun {
    /// An ONNX model written by `exportONNX`: its file, and its inputs' and output's names
    /// and shapes per example (the batch `N` comes first).
    public struct ExportedModel: Sendable {
        public var path: String
        public var inputs: [(name: String, shape: [Int])]
        public var output: (name: String, shape: [Int])
    }

    /// Writes the model as ONNX models into `folder` (see `Lowering.exportedGraphs`):
    /// `decode.onnx`, `encode.onnx` and `networks/NAME.onnx`. A graph with no ONNX form (one
    /// that draws random numbers) is skipped, with the reason.
    public func exportONNX(to folder: String) throws -> (written: [ExportedModel], skipped: [(path: String, reason: String)]) {
        do {
            try FileManager.default.createDirectory(atPath: folder + "/networks", withIntermediateDirectories: true)
        } catch {
            throw LatentError.data("cannot create \(folder)/networks: \(error.localizedDescription)")
        }
        var written: [ExportedModel] = []
        var skipped: [(path: String, reason: String)] = []
        for graph in Lowering.exportedGraphs(pipeline.model, name: pipeline.ir.name) {
            let path = "\(folder)/\(graph.file).onnx"
            let exported: (model: Data, inputs: [ONNXModel.Value], output: ONNXModel.Value)
            do {
                exported = try ONNXModel.serialized(
                    graph.phase, parameters: inference.parameters, store: store, shapes: graph.shapes)
            } catch {
                skipped.append((path, "\(error)"))
                continue
            }
            try RunDirectory.write(exported.model, to: path)
            written.append(ExportedModel(path: path, inputs: exported.inputs, output: exported.output))
        }
        return (written, skipped)
    }
}
