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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try interpreter())
        process.arguments = [Repository.root.appendingPathComponent("Tests/Python/\(script)").path] + arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: script, code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: String(decoding: err, as: UTF8.self)])
        }
        return try JSONSerialization.jsonObject(with: out)
    }
}
