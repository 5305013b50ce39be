import Foundation
import LatentTestSupport
import XCTest

/// Bad input of every kind the hardening issue found, through the `latent` binary: each gets
/// a clear message and its documented exit code (1 spec, 2 usage, 3 data, 4 numerical, 5
/// memory), never a trap, a wrong number or lost data.
final class HardeningTests: XCTestCase {
    /// `Specs/vae-linear.yaml` with `replacements` applied to its text.
    func spec(_ replacements: [String: String] = [:], name: String = "linear.yaml") throws -> String {
        var text = try String(contentsOf: Repository.specs.appendingPathComponent("vae-linear.yaml"), encoding: .utf8)
        for (old, new) in replacements {
            XCTAssertTrue(text.contains(old), old)
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try temporaryFile(name, Array(text.utf8))
    }

    /// A fresh folder for a run, removed afterwards.
    func runFolder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("latent-hard-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func expect(_ arguments: [String], status: Int32, _ message: String, line: UInt = #line) throws {
        let run = try Binary.run(arguments)
        XCTAssertFalse(run.signalled, "signal: \(run.error)", line: line)
        XCTAssertEqual(run.status, status, run.output + run.error, line: line)
        XCTAssertTrue((run.output + run.error).contains(message), "'\(message)' not in: \(run.output + run.error)", line: line)
    }

    func testSizesFromSpecsAndFlagsAreCappedWhereWritten() throws {
        try expect(
            ["check", try spec(["noise=0.5)": "noise=0.5)\n  shape: [4294967296, 4294967296, 4294967296]"])], status: 1,
            ":14:11: error: a dimension of 'shape' must be at most 16777216")
        let huge = try spec(["batch: 100": "batch: 9223372036854775807"])
        try expect(["check", huge], status: 1, "'batch' must be at most 1048576")
        try expect(["compile", huge, "--emit", "plan"], status: 1, "'batch' must be at most")
        try expect(["check", try spec(["steps: 5000": "epochs: 1e15"])], status: 1, "'epochs' must be at most 1048576")
        try expect(
            ["check", try spec(["batch: 100": "batch: 1000000", "dense 8]": "dense 1000000]"])], status: 1,
            "larger than 68719476736 floats")
        try expect(
            ["train", try spec(), "--epochs", "9223372036854775807", "--out", runFolder()], status: 2,
            "--epochs must be between 1 and 1048576")
        try expect(["check", try spec(["latent=2": "latent=2, n=2000000000"])], status: 1, "must be at most 1073741824")
    }

    func testNumbersFloat32CannotHoldAreRefusedAtTheirLine() throws {
        try expect(["check", try spec(["kind: elbo": "kind: elbo\n  beta: 1e308"])], status: 1, "float32 cannot hold it")
        try expect(["check", try spec(["std=0.5": "std=1e-45"])], status: 1, "'std' of 'gaussian' is 1e-45")
        try expect(["check", try spec(["std=0.5": "std=1e-30"])], status: 1, "must be between 1e-18 and 1e18")
    }

    func testCommandLineValuesAreCheckedByName() throws {
        let run = runFolder()
        try expect(["train", try spec(), "--seed=-1", "--out", run], status: 2, "--seed must be at least 0, found -1")
        try expect(["train", try spec(), "--seed", "-1", "--out", run], status: 2, "--seed must be at least 0")
        XCTAssertEqual(try Binary.run(["train", try spec(), "--steps", "20", "--out", run]).status, 0)
        try expect(["eval", run, "--metric", ""], status: 2, "unknown metric ''")
        try expect(["eval", run, "--metric", ":"], status: 2, "unknown metric ':'")
        try expect(["eval", run, "--metric", "iwae:x"], status: 2, "iwae:K needs K")
        try expect(["eval", run, "--metric", "ais", "-n=-3"], status: 2, "-n must be between 1")
        try expect(["eval", run, "--metric", "ais", "--step-size", "inf"], status: 2, "--step-size must be a positive")
        try expect(["encode", run, "-n", "-5"], status: 2, "-n must be between 1")
        try expect(["reconstruct", run, "-n", "0"], status: 2, "-n must be between 1")
        try expect(["sample", run, "--seed", "-2"], status: 2, "--seed must be at least 0")
        try expect(["sample", run, "--memory-limit", "lots"], status: 2, "--memory-limit takes a size")
        try expect(["sample", run, "--npy", "/nonexistent/dir/s.npy"], status: 3, "cannot write /nonexistent/dir/s.npy")
        // Without --png or --npy, the commands that produce values print them.
        let points = try Binary.run(["interpolate", run, "--steps", "3"])
        XCTAssertEqual(points.output.split(separator: "\n").count, 3, points.error)
        let rows = try Binary.run(["reconstruct", run, "-n", "2"])
        XCTAssertEqual(rows.output.split(separator: "\n").map { $0.split(separator: ",").count }, [8, 8], rows.error)
    }

    /// Rewrites the JSON header of a safetensors checkpoint.
    func editCheckpoint(_ run: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = run + "/checkpoint.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
        var header = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
        edit(&header)
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        try (file + json + data.subdata(in: (8 + length)..<data.count)).write(to: URL(fileURLWithPath: path))
    }

    func testCheckpointsAreNotTrusted() throws {
        let path = try spec()
        for (key, value) in [("step", "-4"), ("cursor", "99999999"), ("epoch", "999999999999"), ("labelled_cursor", "-1")]
        {
            let run = runFolder()
            XCTAssertEqual(try Binary.run(["train", path, "--steps", "10", "--out", run]).status, 0)
            try editCheckpoint(run) { header in
                var metadata = header["__metadata__"] as? [String: String] ?? [:]
                metadata[key] = value
                header["__metadata__"] = metadata
            }
            try expect(["train", path, "--steps", "20", "--resume", run], status: 3, "counters")
        }
        let run = runFolder()
        XCTAssertEqual(try Binary.run(["train", path, "--steps", "10", "--out", run]).status, 0)
        try editCheckpoint(run) { header in
            var tensor = header["decoder.0.bias"] as? [String: Any] ?? [:]
            tensor["data_offsets"] = [0, 32]
            header["decoder.0.bias"] = tensor
        }
        try expect(["eval", run, "--metric", "elbo"], status: 3, "overlap")
        let nan = runFolder()
        XCTAssertEqual(try Binary.run(["train", path, "--steps", "10", "--out", nan]).status, 0)
        let file = URL(fileURLWithPath: nan + "/checkpoint.safetensors")
        var bytes = try Data(contentsOf: file)
        // The first float of the data: the first parameter's.
        let start = 8 + Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
        bytes.replaceSubrange(start..<(start + 4), with: [0, 0, 0xC0, 0x7F])
        try bytes.write(to: file)
        try expect(["eval", nan, "--metric", "elbo"], status: 3, "holds nan")
    }

    func testResumeRefusesAChangedSpecButAllowsALongerRun() throws {
        let run = runFolder()
        let original = try spec()
        XCTAssertEqual(try Binary.run(["train", original, "--steps", "10", "--out", run]).status, 0)
        try expect(
            ["train", try spec(["std=0.5": "std=0.4"]), "--steps", "20", "--resume", run], status: 3,
            "trained from a different spec")
        try expect(["train", original, "--steps", "20", "--batch", "50", "--resume", run], status: 3, "batch: 50")
        let longer = try Binary.run(["train", try spec(["steps: 5000": "steps: 20"]), "--resume", run])
        XCTAssertEqual(longer.status, 0, longer.error)
        XCTAssertTrue(longer.output.contains("resumed"), longer.output)
        let resolved = try String(contentsOfFile: run + "/spec.resolved.yaml", encoding: .utf8)
        XCTAssertTrue(resolved.contains("steps: 20"), resolved)
        // Commands on the run refuse weights that are not of its spec.
        try Data(resolved.replacingOccurrences(of: "std=0.5", with: "std=0.4").utf8).write(
            to: URL(fileURLWithPath: run + "/spec.resolved.yaml"))
        try expect(["eval", run, "--metric", "elbo"], status: 3, "trained from another spec")
        // --overwrite starts again: the old checkpoint goes at once, not at the first new one.
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["train", original, "--steps", "5000000", "--checkpoint-every", "1000000", "--out", run, "--overwrite"]
        process.standardOutput = FileHandle.nullDevice  // an unread pipe could fill and block it
        process.standardError = Pipe()
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/checkpoint.safetensors"))
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 143)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/checkpoint.safetensors"))
    }

    func testDataIsCheckedAgainstTheSpecForEveryCommand() throws {
        let run = runFolder()
        XCTAssertEqual(try Binary.run(["train", try spec(), "--steps", "10", "--out", run]).status, 0)
        let narrow = try temporaryFile("narrow.csv", Array("1,2,3\n4,5,6\n".utf8))
        try expect(["train", try spec(), "--data", narrow, "--out", runFolder()], status: 3, "has 3 values per example")
        for command in [["eval", run, "--metric", "elbo"], ["encode", run], ["reconstruct", run]] {
            try expect(command + ["--data", narrow], status: 3, "but the spec's 'shape' has 8")
        }
        // A semi-supervised spec needs labels in its categorical latent's range.
        let semi = Repository.specs.appendingPathComponent("aae-semisupervised.yaml").path
        let points = try temporaryFile("wide.csv", Array(String(repeating: "0.5,", count: 783).appending("0.5\n").utf8))
        try expect(["train", semi, "--data", points, "--steps", "1", "--out", runFolder()], status: 3, "has no labels")
    }

    func testMemoryIsBudgetedBeforeAllocation() throws {
        try expect(
            ["train", try spec(), "--memory-limit", "1K", "--out", runFolder()], status: 5,
            "is available")
        try expect(
            ["train", try spec(["latent=2": "latent=2, n=1000000000"]), "--out", runFolder()], status: 5,
            "data")
        let run = runFolder()
        XCTAssertEqual(try Binary.run(["train", try spec(), "--steps", "2", "--out", run]).status, 0)
        try expect(["sample", run, "-n", "1000000", "--memory-limit", "1M"], status: 5, "outputs 32.0 MB")
    }

    func testWrongModelsAreRefused() throws {
        try expect(
            ["check", try spec(["prior: normal(0, 1)": "prior: uniform(-1, 1)"])], status: 1,
            "KL(q ‖ p) is infinite; use the aae objective")
    }

    /// A run trained on a CSV file beside its spec is evaluated from any working directory.
    func testRunsFindTheirDataFromAnywhere() throws {
        let folder = runFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let rows = (0..<300).map { i in (0..<8).map { j in String(Double((i * 7 + j) % 11) / 11) }.joined(separator: ",") }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/x.csv"))
        var text = try String(contentsOf: Repository.specs.appendingPathComponent("vae-linear.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(
            of: "source: linear_gaussian(dim=8, latent=2, noise=0.5)", with: "source: csv(\"x.csv\")\n  shape: [8]")
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/spec.yaml"))
        let run = folder + "/run"
        let trained = try Binary.run(["train", folder + "/spec.yaml", "--steps", "10", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.error)
        let evaluated = try Binary.run(["eval", run, "--metric", "elbo"])
        XCTAssertEqual(evaluated.status, 0, evaluated.error)
        XCTAssertTrue(evaluated.output.contains("n = 300 examples"), evaluated.output)
    }

    /// A full disk (here a file-size limit, which fails writes the same way) stops training
    /// with exit 3 and the system's reason, never a trap or a torn checkpoint.
    func testAFullDiskIsAnErrorNotACrash() throws {
        let run = runFolder()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // 2 KB per file; SIGXFSZ ignored, so writes past it fail with EFBIG as on a full disk.
        process.arguments = [
            "-c", "ulimit -f 4; trap '' XFSZ; exec \"$0\" \"$@\"", Binary.url.path, "train", try spec(), "--steps",
            "400", "--every", "1", "--out", run,
        ]
        let error = Pipe()
        process.standardOutput = FileHandle.nullDevice  // an unread pipe could fill and block it
        process.standardError = error
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, message)
        XCTAssertEqual(process.terminationStatus, 3, message)
        XCTAssertTrue(message.contains("cannot write \(run)/metrics.jsonl: File too large"), message)
        let records = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(records.hasSuffix("}\n"), "a torn record: \(records.suffix(80))")
    }
}
