import ArgumentParser
import Foundation
import LatentCompiler
import LatentSpec

/// `latent graph SPEC`: the model's structure as a Graphviz diagram.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the model's structure (data, latents, priors, networks, adversaries, phases).",
        discussion: """
            Prints Graphviz DOT; with --format svg, runs Graphviz's 'dot' (Debian package graphviz) \
            to render it. Write to a file with --output.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, svg
    }

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "dot (text) or svg (needs Graphviz).")
    var format: Format = .dot

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let pipeline = try SpecFiles.compile(spec)
        let dot = GraphWriter.dot(pipeline)
        var bytes = Data(dot.utf8)
        if format == .svg {
            guard let rendered = Graphviz.render(dot) else {
                throw CommandFailure.usage(
                    "Graphviz's 'dot' is not installed; install it with 'apt-get install graphviz', or use --format dot"
                )
            }
            bytes = rendered
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: bytes) else {
                throw CommandFailure.data("cannot write \(output)")
            }
        } else {
            FileHandle.standardOutput.write(bytes)
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
