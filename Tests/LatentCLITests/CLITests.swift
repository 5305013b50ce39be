import Foundation
import LatentTestSupport
import XCTest

/// The `latent` executable as a user runs it: output, exit codes, and no crash on any file.
final class CLITests: XCTestCase {
    func testCheckAcceptsEveryExampleSpec() throws {
        let run = try Binary.run(["check", Repository.specs.path])
        XCTAssertEqual(run.status, 0, run.output + run.error)
        XCTAssertEqual(
            run.output.components(separatedBy: "\n").filter { $0.hasSuffix(": ok") }.count,
            try Repository.specFiles().count)
    }

    func testCheckReportsErrorsWithSourceLineAndCaret() throws {
        let path = try temporaryFile(
            "typo.yaml",
            Array(
                try String(contentsOf: Repository.specs.appendingPathComponent("vae.yaml"), encoding: .utf8)
                    .replacingOccurrences(of: "prior: normal(0, 1)", with: "prior: normall(0, 1)").utf8))
        let run = try Binary.run(["check", path])
        XCTAssertEqual(run.status, 1)
        let lines = run.output.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("\(path):19:12: error: unknown distribution 'normall'"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("did you mean 'normal'?"), lines[0])
        XCTAssertEqual(lines[1], " 19 |     prior: normall(0, 1)        # p(z) = N(0, I)")
        XCTAssertEqual(lines[2], "    |            ^~~~~~~")
    }

    func testJSONFormatForEditors() throws {
        let path = try temporaryFile("json.yaml", Array("latent: 1\nfoo: 2\n".utf8))
        let run = try Binary.run(["check", "--format", "json", path])
        XCTAssertEqual(run.status, 1)
        let records = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]])
        for record in records {
            XCTAssertEqual(Set(record.keys), ["file", "line", "column", "severity", "message", "suggestion"])
            XCTAssertEqual(record["file"] as? String, path)
        }
        let unknown = try XCTUnwrap(
            records.first { ($0["message"] as? String)?.hasPrefix("unknown key 'foo'") ?? false })
        XCTAssertEqual(unknown["line"] as? Int, 2)
        XCTAssertEqual(unknown["column"] as? Int, 1)
        XCTAssertEqual(unknown["severity"] as? String, "error")
        XCTAssertTrue(unknown["suggestion"] is NSNull)
    }

    func testUsageErrorsExitWithTwo() throws {
        XCTAssertEqual(try Binary.run(["check"]).status, 2)
        XCTAssertEqual(try Binary.run(["check", "--format", "xml", "x.yaml"]).status, 2)
        XCTAssertEqual(try Binary.run(["frobnicate"]).status, 2)
        let missing = try Binary.run(["check", "/nonexistent/spec.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.error.contains("no such file"), missing.error)
        XCTAssertEqual(try Binary.run(["--help"]).status, 0)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-empty-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: empty) }
        let none = try Binary.run(["check", empty.path])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.error.contains("no .yaml or .yml files"), none.error)
    }

    func testCompileEmitsTheResolvedSpec() throws {
        let gan = Repository.specs.appendingPathComponent("gan.yaml").path
        let run = try Binary.run(["compile", gan, "--emit", "resolved"])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("  generator_loss: non_saturating\n"))
        XCTAssertTrue(run.output.contains("    D: adam(lr=0.0002, beta1=0.5, beta2=0.999, eps=1e-08)\n"))
        let bad = try temporaryFile("bad.yaml", Array("latent: 3\n".utf8))
        XCTAssertEqual(try Binary.run(["compile", bad]).status, 1)
    }

    func testEveryStageCompilesForEverySpec() throws {
        for url in try Repository.specFiles() {
            for stage in ["resolved", "ir", "grad", "fused", "plan"] {
                let run = try Binary.run(["compile", url.path, "--emit", stage])
                XCTAssertEqual(run.status, 0, "\(url.lastPathComponent) --emit \(stage): \(run.error)")
                XCTAssertFalse(run.output.isEmpty)
            }
        }
    }

    func testGraphWithoutGraphvizSaysHowToInstallIt() throws {
        let process = Process()
        process.executableURL = Binary.url
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(getpid()).svg").path
        process.arguments = ["graph", Repository.specs.appendingPathComponent("vae.yaml").path, "--svg", svg]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "/nonexistent"
        process.environment = environment
        let error = Pipe()
        process.standardError = error
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2)
        XCTAssertTrue(message.contains("apt-get install graphviz"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: svg))
        let dot = try Binary.run(["graph", Repository.specs.appendingPathComponent("vae.yaml").path])
        XCTAssertEqual(dot.status, 0)
        XCTAssertTrue(dot.output.hasPrefix("digraph \"vae\" {"), dot.output)
    }

    /// Training writes a run directory; Ctrl-C and SIGTERM stop at the end of a step with a
    /// checkpoint and exit 130 and 143; a second process in the same folder fails at once; a
    /// folder holding a run is not overwritten without --overwrite; resume keeps no metrics
    /// record past the checkpoint.
    func testTrainWritesARunAndStopsCleanlyOnInterrupt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-run-\(ProcessInfo.processInfo.processIdentifier)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let spec = Repository.specs.appendingPathComponent("gan-ring.yaml").path
        let short = try Binary.run(["train", spec, "--steps", "20", "--every", "10", "--out", directory.path])
        XCTAssertEqual(short.status, 0, short.error)
        XCTAssertTrue(short.output.contains("step 20/20"), short.output)
        let metrics = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        // Two progress records and the test losses at the end.
        XCTAssertEqual(metrics.split(separator: "\n").count, 3, metrics)
        let last = metrics.split(separator: "\n").last ?? ""
        XCTAssertTrue(last.contains("\"test.loss.discriminator\"") && last.contains("\"test.loss.generator\""), metrics)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("checkpoint.safetensors").path))
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("spec.resolved.yaml").path))

        let again = try Binary.run(["train", spec, "--steps", "20", "--out", directory.path])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.error.contains("already holds a run"), again.error)
        XCTAssertEqual(metrics, try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8))

        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = [
                "train", spec, "--steps", "1000000", "--every", "1", "--out", directory.path, "--overwrite",
            ]
            let error = Pipe()
            // Progress lines go to standard output: a pipe nobody reads would fill (64 KB, about
            // two seconds of --every 1) and block the process before the signal arrives.
            process.standardOutput = FileHandle.nullDevice
            process.standardError = error
            try process.run()
            Thread.sleep(forTimeInterval: 2)
            let second = try Binary.run(["train", spec, "--steps", "20", "--out", directory.path, "--overwrite"])
            XCTAssertEqual(second.status, 3)
            XCTAssertTrue(second.error.contains("another latent process is training in"), second.error)
            kill(process.processIdentifier, signal)
            let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, status, text)
            XCTAssertTrue(text.contains("at step"), text)
            XCTAssertTrue(text.contains("--resume"), text)
        }
        // A crash after the checkpoint: records past it, and a torn last line.
        let metricsPath = directory.appendingPathComponent("metrics.jsonl").path
        let records = try String(contentsOfFile: metricsPath, encoding: .utf8)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: metricsPath))
        handle.seekToEndOfFile()
        handle.write(Data("{\"step\": 99999999, \"epoch\": 1}\n{\"step\": 1000".utf8))
        try handle.close()
        let resumed = try Binary.run(["train", spec, "--steps", "5", "--resume", directory.path])
        XCTAssertTrue(resumed.output.contains("already at step"), resumed.output + resumed.error)
        XCTAssertEqual(try String(contentsOfFile: metricsPath, encoding: .utf8), records)
        let missing = try Binary.run(["train", spec, "--resume", directory.path + "-missing"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "-missing"))
        let elsewhere = try Binary.run(["train", spec, "--resume", directory.path, "--out", "/tmp/other"])
        XCTAssertEqual(elsewhere.status, 2)
        XCTAssertTrue(elsewhere.error.contains("--out"), elsewhere.error)
    }

    /// A loss that becomes NaN stops training with exit 1, naming the phase, the step and the
    /// first tensor that was not finite; the checkpoint of the last good interval stays.
    func testNaNStopsTrainingAndNamesTheTensor() throws {
        let spec = try String(contentsOf: Repository.specs.appendingPathComponent("vae-linear.yaml"), encoding: .utf8)
        let exploding = spec.replacingOccurrences(
            of: #"adam\(lr=[0-9.e-]+\)"#, with: "sgd(lr=1e30)", options: .regularExpression)
        XCTAssertNotEqual(exploding, spec)
        let path = try temporaryFile("exploding.yaml", Array(exploding.utf8))
        let directory = path + ".run"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let run = try Binary.run(["train", path, "--steps", "50", "--out", directory])
        XCTAssertEqual(run.status, 4, run.output + run.error)
        XCTAssertTrue(run.error.contains("phase 'elbo' produced NaN or infinity at step"), run.error)
        XCTAssertTrue(run.error.contains("first in "), run.error)
        XCTAssertTrue(run.error.contains("(in network '"), run.error)
        XCTAssertTrue(run.error.contains("no checkpoint was written before it"), run.error)
    }

    /// `--data` trains on a file instead of the spec's data (a .npy here), and `sample` draws
    /// from the trained run: reproducibly, as CSV or .npy of the data's shape.
    func testTrainOnADataFileThenSample() throws {
        var npy = [UInt8](repeating: 0, count: 0)
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, 2), }"
        let padded = header + String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        npy += [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.utf8.count), 0] + Array(padded.utf8)
        for i in 0..<600 { withUnsafeBytes(of: Float(i % 7) / 7) { npy += $0 } }
        let data = try temporaryFile("points.npy", npy)
        let directory = data + ".run"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let spec = Repository.specs.appendingPathComponent("gan-ring.yaml").path
        let trained = try Binary.run(["train", spec, "--data", data, "--steps", "5", "--out", directory])
        XCTAssertEqual(trained.status, 0, trained.error)
        XCTAssertTrue(trained.output.contains("(300 in the data)"), trained.output)
        let first = try Binary.run(["sample", directory, "-n", "3", "--seed", "4"])
        let again = try Binary.run(["sample", directory, "-n", "5", "--seed", "4"])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertEqual(first.output.split(separator: "\n").count, 3)
        XCTAssertTrue(again.output.hasPrefix(first.output), "the first samples do not depend on -n")
        let file = directory + "/samples.npy"
        XCTAssertEqual(try Binary.run(["sample", directory, "-n", "10", "--npy", file]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)).count, 128 + 10 * 2 * 4)
        let missing = try Binary.run(["sample", directory + "/nowhere"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.error.contains("no such run directory"), missing.error)
        let wrongData = try Binary.run(["train", spec, "--data", directory + "/spec.resolved.yaml", "--steps", "1"])
        XCTAssertEqual(wrongData.status, 2)
        XCTAssertTrue(wrongData.error.contains("unknown data format"), wrongData.error)
    }

    /// `bench` prints samples/s, GFLOP/s, the time split and peak memory, as text or JSON.
    func testBenchReportsSpeedAndMemory() throws {
        let spec = Repository.specs.appendingPathComponent("vae-linear.yaml").path
        let text = try Binary.run(["bench", spec, "--steps", "5", "--warmup", "1"])
        XCTAssertEqual(text.status, 0, text.error)
        for part in ["samples/s", "GFLOP/s", "time: gemm", "peak memory"] {
            XCTAssertTrue(text.output.contains(part), text.output)
        }
        let json = try Binary.run(["bench", spec, "--steps", "5", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        XCTAssertGreaterThan(object?["samples_per_s"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(object?["peak_mb"] as? Double ?? 0, 1)
        XCTAssertEqual(try Binary.run(["bench"]).status, 2)
    }

    func testSchemaCommandPrintsTheCheckedInSchema() throws {
        let run = try Binary.run(["schema"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(
            run.output,
            try String(contentsOf: Repository.grammar.appendingPathComponent("latent.schema.json"), encoding: .utf8))
    }

    /// Whatever the file holds, `latent check` exits 0 or 1: never a trap, a signal or a hang.
    func testNoFileCrashesTheChecker() throws {
        var files: [(String, [UInt8])] = [
            ("empty", []),
            ("garbage", (0..<65536).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 11) }),
            ("nul", [0, 0, 0, 10, 0]),
            ("tabs", Array("latent: 1\n\tdata:\n\t\tsource: x\n".utf8)),
            ("deep", Array(String(repeating: "[", count: 1_000_000).utf8)),
            (
                "laughs",
                Array(
                    ((0...9).map {
                        "a\($0): &a\($0) ["
                            + Array(repeating: $0 == 0 ? "lol" : "*a\($0 - 1)", count: 9).joined(separator: ",") + "]"
                    }.joined(separator: "\n") + "\nlatent: *a9\n").utf8)
            ),
            (
                "huge",
                Array(
                    ("latent: 1\nnetworks:\n"
                        + (0..<100_000).map { "  n\($0): {layers: [dense \($0 + 1) relu]}\n" }.joined()).utf8)
            ),
            ("negative", Array("latent: -1\ntraining: {batch: -5, seed: -1, epochs: -99999999999999999999}\n".utf8)),
        ]
        files.append(("duplicate", Array("latent: 1\nlatent: 1\ndata: {source: fashion-mnist, source: ring}\n".utf8)))
        for (name, bytes) in files {
            let run = try Binary.run(["check", "-q", try temporaryFile(name, bytes)])
            XCTAssertFalse(run.signalled, "\(name) crashed the checker: \(run.error)")
            XCTAssertEqual(run.status, 1, "\(name): \(run.output.prefix(500)) \(run.error)")
        }
    }
}
