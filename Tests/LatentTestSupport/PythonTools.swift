import Foundation
import XCTest

/// The Python tools some tests read Latent's files with (TensorBoard's reader, onnx,
/// onnxruntime): `make test` installs them into a virtual environment outside the sources
/// and names its interpreter in LATENT_PYTHON; without it those tests are skipped.
public enum PythonTools {
    public static func interpreter() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["LATENT_PYTHON"], !python.isEmpty else {
            throw XCTSkip("LATENT_PYTHON is not set: `make test` sets it to a venv with tensorboard, onnx and onnxruntime")
        }
        return python
    }

    /// Runs the script `Tests/Python/NAME` with `arguments`; its standard output parsed as
    /// JSON. A failing script fails with its standard error.
    public static func json(_ script: String, _ arguments: [String]) throws -> Any {
        let script = Repository.root.appendingPathComponent("Tests/Python/\(script)").path
        let run = try Subprocess.run(URL(fileURLWithPath: try interpreter()), [script] + arguments)
        guard run.status == 0 else {
            throw NSError(domain: script, code: Int(run.status), userInfo: [NSLocalizedDescriptionKey: run.error])
        }
        return try JSONSerialization.jsonObject(with: Data(run.output.utf8))
    }
}
