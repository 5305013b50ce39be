import Foundation
import LatentRuntime
import LatentTestSupport
import XCTest

/// Inference commands on trained runs, against closed forms: on the linear-Gaussian VAE the
/// ELBO and IWAE bounds order themselves below the exact log-likelihood and IWAE closes the gap.
final class EvaluationTests: XCTestCase {
    /// A run of `spec` trained for `steps` in a temporary folder.
    func train(_ spec: String, steps: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-eval-\(ProcessInfo.processInfo.processIdentifier)-\(spec)"
        ).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let path = Repository.specs.appendingPathComponent(spec).path
        let run = try Binary.run([
            "train", path, "--steps", String(steps), "--every", String(steps), "--out", directory,
        ])
        XCTAssertEqual(run.status, 0, run.error)
        return directory
    }

    func evaluate(_ run: String, _ arguments: [String]) throws -> (value: Double, error: Double) {
        let result = try Binary.run(["eval", run] + arguments + ["--format", "json"])
        XCTAssertEqual(result.status, 0, result.error)
        // Standard output holds the one JSON object and nothing else.
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return (object?["value"] as? Double ?? .nan, object?["standard_error"] as? Double ?? .nan)
    }

    func testLinearGaussianBoundsAgainstTheExactLogLikelihood() throws {
        let run = try train("vae-linear.yaml", steps: 1500)
        // 2,000 points from the true model, as a .npy the commands read with --data.
        let data = Dataset.synthetic(
            .linearGaussian(dimension: 8, latentDimension: 2, noise: 0.5, count: 2000), seed: 1)
        guard case .floats(let values) = data.storage else { return XCTFail("floats") }
        let file = run + "/points.npy"
        try NPY.write(values, shape: [2000, 8], to: file)
        let (entries, _) = try Safetensors.read(path: run + "/checkpoint.safetensors")
        let weights = try XCTUnwrap(entries["decoder.0.weight"]).values.map(Double.init)
        let bias = try XCTUnwrap(entries["decoder.0.bias"]).values.map(Double.init)
        let exact = LinearGaussian.meanLogLikelihood(values, weights: weights, bias: bias, latent: 2, std: 0.5)

        let elbo = try evaluate(run, ["--metric", "elbo", "--data", file])
        let iwae = try evaluate(run, ["--metric", "iwae:200", "--data", file])
        print("linear Gaussian: elbo \(elbo), iwae:200 \(iwae), exact \(exact)")
        // Paired on the same points, so the differences are far more precise than the values.
        XCTAssertLessThanOrEqual(elbo.value, iwae.value + 1e-3)
        XCTAssertLessThanOrEqual(iwae.value, exact + 0.01)
        XCTAssertEqual(iwae.value, exact, accuracy: max(0.02, 3 * iwae.error / 10))
        XCTAssertGreaterThan(iwae.value - elbo.value, 0, "IWAE tightens the bound")

        // KL(q(z|x) || N(0, I)) from one draw per point, against its closed form from the
        // linear encoder's mean and log-variance.
        let encoder = try XCTUnwrap(entries["encoder.0.weight"]).values.map(Double.init)
        let encoderBias = try XCTUnwrap(entries["encoder.0.bias"]).values.map(Double.init)
        var closedForm = 0.0
        for point in 0..<2000 {
            var outputs: [Double] = encoderBias
            for i in 0..<8 {
                let x = Double(values[point * 8 + i])
                for j in 0..<4 { outputs[j] += x * encoder[i * 4 + j] }
            }
            for j in 0..<2 {
                let mean = outputs[j]
                let logVariance = outputs[2 + j]
                let term: Double = exp(logVariance) + mean * mean - 1 - logVariance
                closedForm += 0.5 * term / 2000
            }
        }
        let kl = try evaluate(run, ["--metric", "kl", "--data", file])
        print("linear Gaussian: kl \(kl), closed form \(closedForm)")
        XCTAssertEqual(kl.value, closedForm, accuracy: 4 * kl.error + 0.01)

        // AIS on the first 300 points: with 500 distributions it agrees with the exact value;
        // with one it is importance sampling from the prior, unbiased in p(x) but noisy in
        // log p(x), so it comes out lower.
        let subset = run + "/subset.npy"
        try NPY.write(Array(values.prefix(300 * 8)), shape: [300, 8], to: subset)
        let exactSubset = LinearGaussian.meanLogLikelihood(
            Array(values.prefix(300 * 8)), weights: weights, bias: bias, latent: 2, std: 0.5)
        let annealed = try evaluate(run, ["--metric", "ais", "--distributions", "500", "--data", subset])
        let prior = try evaluate(
            run, ["--metric", "ais", "--distributions", "1", "--chains", "4000", "--data", subset])
        print("linear Gaussian, 300 points: ais:500 \(annealed), ais:1 \(prior), exact \(exactSubset)")
        XCTAssertEqual(annealed.value, exactSubset, accuracy: 0.1)
        XCTAssertEqual(prior.value, exactSubset, accuracy: 0.5)
        XCTAssertLessThan(prior.value, annealed.value + 0.05)
    }

    /// Every picture command writes a PNG, and the inference commands explain what a model
    /// lacks or what is wrong with their input.
    func testPicturesAndErrors() throws {
        let run = try train("gan-ring.yaml", steps: 30)
        for arguments in [
            ["sample", run, "-n", "100", "--png", run + "/s.png"], ["plot", run, "--png", run + "/c.png"],
        ] {
            let result = try Binary.run(arguments)
            XCTAssertEqual(result.status, 0, result.error)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: arguments.last ?? ""))
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        }
        let modes = try Binary.run(["eval", run, "--metric", "modes"])
        XCTAssertEqual(modes.status, 0, modes.error)
        XCTAssertTrue(modes.output.contains("modes 8"), modes.output)
        let encode = try Binary.run(["encode", run, "--npy", run + "/codes.npy"])
        XCTAssertEqual(encode.status, 2)
        XCTAssertTrue(encode.error.contains("encode needs an inference model"), encode.error)
        let unknown = try Binary.run(["eval", run, "--metric", "bleu"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.error.contains("unknown metric 'bleu'"), unknown.error)
        // A checkpoint that belongs to another spec.
        let other = try train("vae-linear.yaml", steps: 2)
        try FileManager.default.removeItem(atPath: other + "/checkpoint.safetensors")
        try FileManager.default.copyItem(
            atPath: run + "/checkpoint.safetensors", toPath: other + "/checkpoint.safetensors")
        let mismatched = try Binary.run(["sample", other, "-n", "2"])
        XCTAssertEqual(mismatched.status, 3)
        XCTAssertTrue(mismatched.error.contains("trained from another spec"), mismatched.error)
        // Data of the wrong width.
        let wide = run + "/wide.npy"
        try NPY.write([Float](repeating: 0, count: 30), shape: [10, 3], to: wide)
        let wrong = try Binary.run(["eval", run, "--metric", "parzen", "--data", wide])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.error.contains("wide.npy"), wrong.error)
    }

    /// A semi-supervised AAE: samples with a fixed label, the label head's error, codes and
    /// reconstructions as pictures.
    func testLabelledModelCommands() throws {
        guard FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make deps)")
        }
        let run = try train("aae-semisupervised.yaml", steps: 3)
        let three = try Binary.run(["sample", run, "-n", "2", "--label", "3"])
        let seven = try Binary.run(["sample", run, "-n", "2", "--label", "7"])
        XCTAssertEqual(three.status, 0, three.error)
        XCTAssertNotEqual(three.output, seven.output, "the label reaches the decoder")
        // Every label with the same style draws: the rows of class 3 are --label 3's samples.
        let every = try Binary.run(["sample", run, "-n", "2", "--every-label"])
        XCTAssertEqual(every.status, 0, every.error)
        let rows = every.output.split(separator: "\n")
        XCTAssertEqual(rows.count, 20)
        XCTAssertEqual(rows[6...7].joined(separator: "\n"), three.output.split(separator: "\n").joined(separator: "\n"))
        let outside = try Binary.run(["sample", run, "--label", "10"])
        XCTAssertEqual(outside.status, 2)
        XCTAssertTrue(outside.error.contains("--label must be between 0 and 9"), outside.error)
        let accuracy = try evaluate(run, ["--metric", "accuracy", "-n", "200"])
        XCTAssertLessThan(accuracy.value, 0.8, "three supervised steps already beat chance (90% error)")
        for (command, file) in [("encode", "codes.png"), ("reconstruct", "recon.png")] {
            let result = try Binary.run([command, run, "-n", "50", "--png", run + "/" + file])
            XCTAssertEqual(result.status, 0, result.error)
        }
        let interpolation = try Binary.run(["interpolate", run, "--steps", "4", "--npy", run + "/walk.npy"])
        XCTAssertEqual(interpolation.status, 0, interpolation.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run + "/walk.npy")).count, 128 + 4 * 784 * 4)
    }
}
