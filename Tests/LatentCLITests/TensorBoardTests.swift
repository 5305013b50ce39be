import Foundation
import LatentRuntime
import LatentTestSupport
import XCTest

/// A run's event files, read by TensorBoard's own `EventAccumulator`, say what its
/// metrics.jsonl says, through a resume from an older checkpoint too.
final class TensorBoardTests: XCTestCase {
    func testEventFilesHoldTheMetricsScalarsAndEpochPictures() throws {
        _ = try PythonTools.interpreter()
        guard FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make deps)")
        }
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("tensorboard-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: run) }
        let spec = Repository.specs.appendingPathComponent("vae.yaml").path
        // 120 steps an epoch at batch 500; a checkpoint at 200 is kept aside, the run goes on
        // to 300, then is put back to 200 and resumed to 300: the first continuation's records
        // of steps 201-300 must be dropped, as metrics.jsonl drops them.
        let common = ["--batch", "500", "--every", "50", "--checkpoint-every", "200", "--threads", "2"]
        let first = try Binary.run(["train", spec, "--steps", "200", "--out", run] + common)
        XCTAssertEqual(first.status, 0, first.error)
        let checkpoint = run + "/checkpoint.safetensors"
        try FileManager.default.copyItem(atPath: checkpoint, toPath: run + "/kept")
        for _ in 0..<2 {
            sleep(1)  // event files are named by the second they start in
            let resumed = try Binary.run(["train", spec, "--steps", "300", "--resume", run] + common)
            XCTAssertEqual(resumed.status, 0, resumed.error)
            try FileManager.default.removeItem(atPath: checkpoint)
            try FileManager.default.copyItem(atPath: run + "/kept", toPath: checkpoint)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.contains("tfevents") }
        XCTAssertEqual(files.count, 3)

        let read = try XCTUnwrap(try PythonTools.json("tensorboard_events.py", [run]) as? [String: Any])
        let scalars = try XCTUnwrap(read["scalars"] as? [String: [[Double]]])
        var expected: [String: [[Double]]] = [:]
        for line in try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n") {
            let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let step = try XCTUnwrap(record["step"] as? Double)
            for (key, value) in record {
                guard let value = value as? Double, !["step", "epoch", "wall_s"].contains(key) else { continue }
                expected[key.replacingOccurrences(of: ".", with: "/"), default: []].append([step, value])
            }
        }
        XCTAssertEqual(Set(scalars.keys), ["loss/elbo", "samples_per_s", "test/loss/elbo"])
        XCTAssertEqual(Set(scalars.keys), Set(expected.keys))
        for (tag, points) in expected {
            let read = try XCTUnwrap(scalars[tag])
            XCTAssertEqual(read.map { $0[0] }, points.map { $0[0] }, tag)
            for (got, want) in zip(read, points) {
                // TensorBoard keeps 32-bit floats; metrics.jsonl rounds samples/s to 0.1.
                let tolerance = tag == "samples_per_s" ? 0.05 : Double(Float(want[1]).ulp)
                XCTAssertEqual(got[1], want[1], accuracy: tolerance, "\(tag) at step \(want[0])")
            }
        }
        XCTAssertEqual(expected["loss/elbo"]?.map { Int($0[0]) }, [50, 100, 150, 200, 250, 300])
        // Epochs end at steps 121 and 241 (the step that starts the next pass) and the runs at
        // 200 and 300; the second epoch's summary waits until 50 (--every) steps have passed
        // since the one at 200.
        XCTAssertEqual(expected["test/loss/elbo"]?.map { Int($0[0]) }, [121, 200, 250, 300])
        let images = try XCTUnwrap(read["images"] as? [String: [[Int]]])
        XCTAssertEqual(images["samples"]?.map { $0[0] }, [121, 200, 250, 300])
        XCTAssertEqual(images["reconstructions"]?.map { $0[0] }, [121, 200, 250, 300])
        // Eight 28 x 28 images a row, twice as high for the 8 x 8 samples as for two pairs of rows.
        let sample = try XCTUnwrap(images["samples"]?.first)
        let reconstruction = try XCTUnwrap(images["reconstructions"]?.first)
        XCTAssertEqual(sample[1], reconstruction[1])
        XCTAssertGreaterThan(sample[2], reconstruction[2])
    }
}
