import Foundation
import LatentTestSupport
import XCTest

/// One command-line convention: reports as `--format json` on standard output, files by
/// options named after their kind; shell completions and the committed man page cover
/// every command and option.
final class CommandLineTests: XCTestCase {
    /// The subcommands `latent --help` lists.
    func subcommands() throws -> [String] {
        let help = try Binary.run(["--help"]).output
        let section = try XCTUnwrap(help.components(separatedBy: "SUBCOMMANDS:").last)
        return section.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
                name.allSatisfy(\.isLowercase)
            else { return nil }
            return String(name)
        }
    }

    /// Each `--option` a command's `--help` names.
    func options(of command: String) throws -> Set<String> {
        let help = try Binary.run([command, "--help"]).output
        let expression = try NSRegularExpression(pattern: "--[a-z][a-z-]*")
        let range = NSRange(help.startIndex..., in: help)
        return Set(expression.matches(in: help, range: range).compactMap { Range($0.range, in: help).map { String(help[$0]) } })
    }

    func testManPageHasEveryCommandAndOption() throws {
        let page = try String(contentsOf: Repository.root.appendingPathComponent("docs/latent.1"), encoding: .utf8)
        let commands = try subcommands()
        XCTAssertGreaterThanOrEqual(commands.count, 13)
        XCTAssertTrue(commands.contains("export"))
        for command in commands {
            let entry = try XCTUnwrap(
                page.components(separatedBy: ".It Em \(command)\n").dropFirst().first,
                "docs/latent.1 lacks '\(command)': run make man")
            // The command's own entry, up to the next command's.
            let section = commands.compactMap { entry.range(of: ".It Em \($0)\n")?.lowerBound }.min().map {
                String(entry[..<$0])
            } ?? entry
            for option in try options(of: command) where option != "--help" {
                XCTAssertTrue(
                    section.contains(" \(option.dropFirst())"), "docs/latent.1: \(command) lacks \(option): run make man")
            }
        }
    }

    func testCompletionScriptsKnowEveryCommand() throws {
        let commands = try subcommands()
        for shell in ["bash", "zsh", "fish"] {
            let script = try Binary.run(["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, script.error)
            for command in commands { XCTAssertTrue(script.output.contains(command), "\(shell) lacks \(command)") }
        }
        let bash = FileManager.default.temporaryDirectory.appendingPathComponent("latent-completion-\(getpid()).bash")
        defer { try? FileManager.default.removeItem(at: bash) }
        try Binary.run(["--generate-completion-script", "bash"]).output.write(to: bash, atomically: true, encoding: .utf8)
        let syntax = try Binary.run(["-n", bash.path], executable: URL(fileURLWithPath: "/bin/bash"))
        XCTAssertEqual(syntax.status, 0, syntax.error)
    }

    /// Every command that reports takes --format text|json; none writes a file through an
    /// option named otherwise than after the file's kind.
    func testReportsAndFilesFollowOneConvention() throws {
        for command in ["check", "eval", "bench", "export"] {
            let options = try options(of: command)
            XCTAssertTrue(options.contains("--format"), command)
        }
        let fileOptions = ["--json", "--output", "--file"]
        for command in try subcommands() {
            let options = try options(of: command)
            for option in fileOptions { XCTAssertFalse(options.contains(option), "\(command) \(option)") }
        }
        let wrong = try Binary.run(["check", Repository.specs.path, "--format", "yaml"])
        XCTAssertEqual(wrong.status, 2)
        let json = try Binary.run(["check", Repository.specs.appendingPathComponent("vae.yaml").path, "--format", "json"])
        XCTAssertEqual(json.status, 0, json.error)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.output.utf8)))
    }
}
