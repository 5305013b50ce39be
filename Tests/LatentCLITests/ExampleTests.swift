import Foundation
import LatentTestSupport
import XCTest

/// `Examples/TrainAndSample`, the getting-started program, runs as its article says.
final class ExampleTests: XCTestCase {
    func testTheExampleTrainsSamplesAndEvaluates() throws {
        let example = Binary.url.deletingLastPathComponent().appendingPathComponent("latent-example")
        let spec = Repository.specs.appendingPathComponent("vae-linear.yaml").path
        let run = try Binary.run([spec, "600"], executable: example)
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("step 500  epoch"), run.output)
        XCTAssertTrue(run.output.contains("sample 2: "), run.output)
        let line = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("test ELBO: ") })
        let elbo = try XCTUnwrap(Double(line.dropFirst("test ELBO: ".count).split(separator: " ")[0]))
        // The linear-Gaussian model's exact log-likelihood is about -9.6 nats; 600 steps get near.
        XCTAssertGreaterThan(elbo, -12, String(line))
        XCTAssertLessThan(elbo, -9, String(line))
    }
}
