import ArgumentParser
import LatentCompiler
import LatentSpec

/// `latent compile SPEC --emit STAGE`: print a stage of the compiler as stable text.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a spec and print a stage of the compiler.",
        discussion: """
            Stages: resolved (the spec with every default explicit; itself a valid spec).
            """)

    enum Stage: String, ExpressibleByArgument, CaseIterable {
        case resolved
    }

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "Which stage to print: \(Stage.allCases.map(\.rawValue).joined(separator: ", ")).")
    var emit: Stage = .resolved

    func run() throws {
        let file: SourceFile
        switch SpecFiles.read(spec) {
        case .success(let read): file = read
        case .failure(let error):
            printError("error: \(error)")
            throw ExitCode.usage
        }
        let (model, diagnostics) = Checker.check(file)
        guard let model else {
            printError(DiagnosticRenderer.text(diagnostics.sorted, in: file, color: Terminal.errorSupportsColor))
            throw ExitCode.specErrors
        }
        switch emit {
        case .resolved: print(ResolvedSpecPrinter.print(model.spec), terminator: "")
        }
    }
}
