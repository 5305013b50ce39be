import Foundation
import LatentCompiler
import LatentIR
import LatentKernels
import LatentRuntime
import LatentSpec
import LatentTestSupport
import XCTest

/// `latent export --onnx` against Latent itself: every model passes onnx.checker's full
/// check, and onnxruntime gives Latent's outputs (each graph compiled as Latent runs it:
/// fused, on the executor) on the same inputs to 1e-5.
final class ONNXExportTests: XCTestCase {
    func testExportedModelsComputeWhatLatentComputes() throws {
        _ = try PythonTools.interpreter()
        guard FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make deps)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Dense and convolutional VAEs, batch norms and transposed convolutions (DCGAN), a
        // categorical latent (semi-supervised AAE), a join layer and an implicit encoder (AVB).
        let expected: [String: Set<String>] = [
            "vae": ["decode", "encode", "networks/encoder", "networks/decoder"],
            "vae-conv": ["decode", "encode", "networks/encoder", "networks/decoder"],
            "dcgan": ["decode", "networks/generator", "networks/D"],
            "aae-semisupervised": [
                "decode", "encode", "networks/trunk", "networks/classifier", "networks/encoder", "networks/decoder",
                "networks/D_z", "networks/D_y",
            ],
            "avb-conv": ["decode", "networks/encoder", "networks/decoder", "networks/T"],
        ]
        for (name, files) in expected.sorted(by: { $0.key < $1.key }) {
            let run = root + "/" + name
            let spec = Repository.specs.appendingPathComponent(name + ".yaml").path
            let train = try Binary.run(["train", spec, "--steps", "2", "--batch", "16", "--every", "1", "--out", run])
            XCTAssertEqual(train.status, 0, train.error)
            let export = try Binary.run(["export", run, "--onnx", run + "/onnx", "--format", "json"])
            XCTAssertEqual(export.status, 0, export.error)
            let listed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(export.output.utf8)) as? [String: Any])
            let written = try XCTUnwrap(listed["written"] as? [[String: Any]]).compactMap { $0["path"] as? String }
            XCTAssertEqual(Set(written), Set(files.map { "\(run)/onnx/\($0).onnx" }), name)
            let skipped = try XCTUnwrap(listed["skipped"] as? [[String: Any]])
            XCTAssertEqual(skipped.compactMap { $0["path"] as? String }, name == "avb-conv" ? ["\(run)/onnx/encode.onnx"] : [])
            if name == "avb-conv" {
                let text = try Binary.run(["export", run, "--onnx", run + "/onnx"])
                XCTAssertTrue(text.error.contains("skipped \(run)/onnx/encode.onnx"), text.error)
                XCTAssertTrue(text.error.contains("random"), text.error)
            }
            try writeReferences(run: run, to: run + "/reference")
            let report = try XCTUnwrap(
                try PythonTools.json("onnx_check.py", [run + "/onnx", run + "/reference"]) as? [String: [String: Any]])
            XCTAssertEqual(Set(report.keys), files, name)
            for (file, result) in report {
                let difference = try XCTUnwrap(result["max_abs_difference"] as? Double)
                XCTAssertLessThanOrEqual(difference, 1e-5, "\(name) \(file)")
            }
            XCTAssertEqual(report["decode"]?["inputs"] as? [String], ["codes"], name)
            XCTAssertEqual(report["decode"]?["outputs"] as? [String], ["mean"], name)
            if let encode = report["encode"] {
                XCTAssertEqual(encode["inputs"] as? [String], ["x"], name)
                XCTAssertEqual(encode["outputs"] as? [String], ["codes"], name)
            }
        }
    }

    /// For every graph the run exports: inputs of 5 examples and Latent's outputs for them.
    func writeReferences(run: String, to folder: String) throws {
        let source = try SourceFile.read(path: run + "/spec.resolved.yaml")
        let pipeline = try XCTUnwrap(Pipeline.compile(source, name: "run").pipeline)
        let store = ParameterStore(pipeline.fused.parameters)
        try store.load(try Safetensors.read(path: run + "/checkpoint.safetensors").entries, from: run)
        var random = TestRandom(7)
        for graph in Lowering.exportedGraphs(pipeline.model, name: "run") {
            let phase = MemoryPlanner.run(Pipeline.optimize(graph.phase), batch: 5, samples: 1)
            let executable = Executable(phase, parameters: store, pool: WorkerPool.with(threads: 1))
            let cases = folder + "/" + graph.file
            try FileManager.default.createDirectory(atPath: cases, withIntermediateDirectories: true)
            for case .input(let name) in phase.instructions.map(\.op) {
                let buffer = executable.input(name)
                let values = (0..<buffer.count).map { _ in Float(random.uniform()) }
                for (index, value) in values.enumerated() { buffer[index] = value }
                try NPY.write(values, shape: [5] + (graph.shapes[name] ?? [buffer.count / 5]), to: "\(cases)/\(name).npy")
            }
            executable.run(seed: 1, step: 0)
            let output = Array(executable.output)
            try NPY.write(output, shape: [5] + (graph.shapes[phase.outputName] ?? [output.count / 5]), to: cases + "/expected.npy")
        }
    }
}
