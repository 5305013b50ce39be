import Foundation
import LatentTestSupport
import XCTest

/// `mpirun -np N latent train` as a user runs it (Open MPI from `make deps`, N processes on
/// this machine's two cores): any N that divides the shards trains the same weights, bit
/// for bit, as one process does; a checkpoint resumes under another N; a job that cannot
/// go on ends every process with the error instead of hanging.
final class DataParallelTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func arguments(_ spec: String, steps: Int, out: String) -> [String] {
        [
            "train", Repository.specs.appendingPathComponent(spec + ".yaml").path, "--steps", "\(steps)", "--batch",
            "40", "--shards", "4", "--every", "100", "--out", folder.appendingPathComponent(out).path,
        ]
    }

    func checkpoint(_ run: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(run).appendingPathComponent("checkpoint.safetensors"))
    }

    func testAnyProcessCountThatDividesTheShardsTrainsTheSameWeights() throws {
        for spec in ["vae-linear", "gan-ring", "aae-semisupervised", "avb-toy"] {
            let one = try Binary.run(arguments(spec, steps: 4, out: "\(spec)-1"))
            XCTAssertEqual(one.status, 0, one.error)
            for processes in [2, 4] {
                let run = try Binary.mpirun(processes: processes, arguments(spec, steps: 4, out: "\(spec)-\(processes)"))
                XCTAssertEqual(run.status, 0, "\(spec), \(processes) processes: \(run.error)")
                XCTAssertEqual(
                    try checkpoint("\(spec)-\(processes)"), try checkpoint("\(spec)-1"),
                    "\(spec): \(processes) processes and one trained different weights")
                XCTAssertTrue(run.output.contains("4 shards on \(processes) processes"), run.output)
            }
        }
    }

    func testACheckpointResumesUnderAnotherProcessCount() throws {
        let straight = try Binary.run(arguments("gan-ring", steps: 6, out: "straight"))
        XCTAssertEqual(straight.status, 0, straight.error)
        let first = try Binary.mpirun(processes: 4, arguments("gan-ring", steps: 3, out: "resumed"))
        XCTAssertEqual(first.status, 0, first.error)
        let path = folder.appendingPathComponent("resumed").path
        let second = try Binary.mpirun(
            processes: 2,
            [
                "train", Repository.specs.appendingPathComponent("gan-ring.yaml").path, "--steps", "6", "--batch", "40",
                "--shards", "4", "--resume", path,
            ])
        XCTAssertEqual(second.status, 0, second.error)
        XCTAssertEqual(try checkpoint("resumed"), try checkpoint("straight"))
    }

    func testProcessesThatDoNotDivideTheShardsAreAUsageError() throws {
        let run = try Binary.mpirun(processes: 3, arguments("vae-linear", steps: 2, out: "three"), seconds: 120)
        XCTAssertEqual(run.status, 2, run.output + run.error)
        XCTAssertTrue(run.error.contains("3 processes do not divide the 4 shards of each batch"), run.error)
        XCTAssertEqual(run.error.components(separatedBy: "do not divide").count, 2, "reported once: \(run.error)")
    }

    /// Process 1 is given a data file that does not exist; process 0 reaches the first
    /// gradient exchange and would wait for it forever. The job ends with the data error.
    func testAProcessThatCannotReadItsDataEndsTheWholeJob() throws {
        let latent = Binary.url.path
        let train = arguments("vae-linear", steps: 50, out: "broken").map { "'\($0)'" }.joined(separator: " ")
        let script = """
            if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec '\(latent)' \(train) --data /nonexistent/data.npy; \
            else exec '\(latent)' \(train); fi
            """
        let run = try Binary.mpirun(processes: 2, ["-c", script], program: "/bin/sh", seconds: 120)
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertNotEqual(run.status, 124, "the job hung until timeout killed it")
        XCTAssertTrue(run.error.contains("/nonexistent/data.npy"), run.error)
    }

    /// iwae, ais and parzen split the examples between processes and report exactly what one
    /// process reports (the JSON carries every digit).
    func testEvaluationUnderMPIGivesTheOneProcessNumbers() throws {
        let run = folder.appendingPathComponent("trained").path
        let train = try Binary.run([
            "train", Repository.specs.appendingPathComponent("vae-linear.yaml").path, "--steps", "100", "--every", "100",
            "--out", run,
        ])
        XCTAssertEqual(train.status, 0, train.error)
        for metric in ["iwae:20", "ais", "parzen"] {
            let options = ["-n", "300", "--distributions", "10", "--chains", "4"]
            let one = try Binary.run(["eval", run, "--metric", metric, "--format", "json"] + options)
            XCTAssertEqual(one.status, 0, one.error)
            let three = try Binary.mpirun(processes: 3, ["eval", run, "--metric", metric, "--format", "json"] + options)
            XCTAssertEqual(three.status, 0, three.error)
            // One JSON object on standard output, printed by process 0 alone.
            func value(_ output: String) throws -> Double {
                let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
                return try XCTUnwrap((object as? [String: Any])?["value"] as? Double)
            }
            XCTAssertEqual(try value(three.output), try value(one.output), metric)
        }
    }

    /// Two hosts made of network namespaces joined by a veth pair (bench/two-hosts.sh): one
    /// process in each, talking TCP, trains what one process trains. Needs root, as CI runs.
    func testTwoHostsOverTCPTrainTheSameWeights() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        let script = Repository.root.appendingPathComponent("bench/two-hosts.sh").path
        addTeardownBlock { _ = try? Binary.run(["down"], executable: URL(fileURLWithPath: script)) }
        let one = try Binary.run(arguments("vae-linear", steps: 5, out: "local"))
        XCTAssertEqual(one.status, 0, one.error)
        let two = try Binary.run(
            ["300", script, "run", "-np", "2", Binary.url.path] + arguments("vae-linear", steps: 5, out: "hosts"),
            executable: URL(fileURLWithPath: "/usr/bin/timeout"))
        XCTAssertEqual(two.status, 0, two.output + two.error)
        XCTAssertTrue(two.output.contains("4 shards on 2 processes"), two.output)
        XCTAssertEqual(try checkpoint("hosts"), try checkpoint("local"))
    }

    /// kill -9 of process 1 in the middle of a run ends the whole job (Open MPI's default),
    /// and the checkpoint process 0 wrote before stays whole: a run resumes from it.
    func testKillingOneProcessEndsTheJobAndKeepsTheCheckpoint() throws {
        let out = folder.appendingPathComponent("killed").path
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        job.arguments =
            ["120", "mpirun", "--oversubscribe", "-np", "2", Binary.url.path]
            + arguments("gan-ring", steps: 1_000_000, out: "killed") + ["--checkpoint-every", "20"]
        job.environment = environment
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.run()
        let checkpoint = out + "/checkpoint.safetensors"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline { usleep(100_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint), "no checkpoint within a minute")
        let victim = try XCTUnwrap(Self.process(rank: 1, commandContaining: out), "process 1 not found")
        kill(victim, SIGKILL)
        job.waitUntilExit()
        XCTAssertNotEqual(job.terminationStatus, 0)
        XCTAssertNotEqual(job.terminationStatus, 124, "the job did not end when a process was killed")
        let resumed = try Binary.run([
            "train", Repository.specs.appendingPathComponent("gan-ring.yaml").path, "--batch", "40", "--shards", "4",
            "--resume", out, "--steps", "1",
        ])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.output.contains("resumed"), resumed.output)
    }

    /// The process of MPI rank `rank` whose command line contains `text` (from /proc).
    static func process(rank: Int, commandContaining text: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            let arguments = String(decoding: command, as: UTF8.self).split(separator: "\0")
            let variables = String(decoding: environment, as: UTF8.self).split(separator: "\0")
            if arguments.first?.hasSuffix("latent") == true, arguments.contains(where: { $0.contains(text) }),
                variables.contains("OMPI_COMM_WORLD_RANK=\(rank)")
            {
                return pid
            }
        }
        return nil
    }
}
