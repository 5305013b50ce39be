import ArgumentParser
import Latent
import LatentCompiler
import LatentSpec

/// `latent check SPEC...`: every mistake in every spec, at once, before anything runs.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check specs and report every problem, with file, line and column.",
        discussion: """
            Checks the YAML structure, the expressions, names, shapes through every network, \
            the rules of the objective and the optimizers, and reports all problems in one run. \
            Directories are searched for .yaml and .yml files.

            Exit codes: 0 all specs valid (warnings allowed), 1 a spec has errors, 2 usage errors \
            (bad options, unreadable files).
            """)

    @Argument(help: "Spec files or directories to check.")
    var specs: [String]

    @Option(help: "Output format: text for people, json for editors and tools.")
    var format: ReportFormat = .text

    @Flag(name: .shortAndLong, help: "Print only problems, not a line for each valid spec.")
    var quiet = false

    func validate() throws {
        if specs.isEmpty { throw ValidationError("name at least one spec file, as in 'latent check Specs/vae.yaml'") }
    }

    func run() throws {
        var records: [DiagnosticRenderer.Record] = []
        var invalid = 0
        var unreadable = 0
        let paths: [String]
        switch SpecFiles.expand(specs) {
        case .success(let expanded): paths = expanded
        case .failure(let error):
            throw LatentError.usage("\(error)")
        }
        for path in paths {
            let file: SourceFile
            switch SpecFiles.read(path) {
            case .success(let read): file = read
            case .failure(let error):
                printError("error: \(error)")
                unreadable += 1
                continue
            }
            let diagnostics = Checker.check(file).diagnostics
            let sorted = diagnostics.sorted
            if diagnostics.hasErrors { invalid += 1 }
            switch format {
            case .json:
                records += sorted.map { DiagnosticRenderer.Record($0, file: path) }
            case .text:
                print(DiagnosticRenderer.text(sorted, in: file, color: Terminal.supportsColor), terminator: "")
                if let summary = DiagnosticRenderer.summary(sorted) {
                    print("\(path): \(summary)")
                } else if !quiet {
                    print("\(path): ok")
                }
            }
        }
        if format == .json { print(DiagnosticRenderer.json(records), terminator: "") }
        if unreadable > 0 { throw LatentError(kind: .usage, message: "") }
        if invalid > 0 { throw LatentError.spec() }
    }
}
