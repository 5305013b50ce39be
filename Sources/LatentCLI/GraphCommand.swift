import ArgumentParser
import Foundation
import Latent
import LatentCompiler
import LatentSpec

/// `latent graph SPEC`: the model's structure as a Graphviz diagram.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the model's structure (data, latents, priors, networks, adversaries, phases).",
        discussion: """
            Prints Graphviz DOT on standard output, or writes it to a file with --dot; --svg \
            writes the picture, rendered by Graphviz's 'dot' (Debian package graphviz).
            """)

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "Write the diagram as Graphviz DOT to this file.")
    var dot: String?

    @Option(help: "Write the diagram as SVG to this file (needs Graphviz).")
    var svg: String?

    func run() throws {
        let pipeline = try SpecFiles.compile(spec)
        let text = GraphWriter.dot(pipeline)
        if dot == nil && svg == nil { print(text, terminator: "") }
        if let dot { try RunDirectory.write(Data(text.utf8), to: dot) }
        if let svg {
            guard let rendered = Graphviz.render(text) else {
                throw LatentError.usage(
                    "Graphviz's 'dot' is not installed; install it with 'apt-get install graphviz', or write DOT with --dot")
            }
            try RunDirectory.write(rendered, to: svg)
        }
    }
}

/// Runs Graphviz's `dot` if it is on the PATH.
enum Graphviz {
    static func render(_ dot: String) -> Data? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { return nil }
        input.fileHandleForWriting.write(Data(dot.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }
}
