import Foundation

/// Runs Python scripts in tests: Debian's python3 (what `make deps` provisions with
/// jsonschema, PyYAML and numpy), else the python3 on the PATH.
public enum Python {
    /// The exit status and everything the script printed (standard output and error).
    public static func run(_ script: String, arguments: [String]) throws -> (status: Int32, output: String) {
        let system = "/usr/bin/python3"
        let command = FileManager.default.isExecutableFile(atPath: system) ? [system] : ["/usr/bin/env", "python3"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
