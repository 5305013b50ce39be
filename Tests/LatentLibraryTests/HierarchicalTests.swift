import Foundation
import Latent
import LatentRuntime
import LatentTestSupport
import XCTest

/// Two stochastic layers (`Specs/vae-linear-two-layer.yaml`: h2 ~ N(0, I),
/// h1 ~ N(A h2 + a, 0.5^2 I), x ~ N(B h1 + b, 0.5^2 I)) against the model's exact marginal:
/// the bounds order themselves below log p(x), IWAE and AIS through the hierarchy reach it,
/// and ancestral samples have the marginal's moments.
final class HierarchicalTests: XCTestCase {
    final class Quiet: TrainingObserver {}

    func testTwoLayerLinearGaussianAgainstItsExactMarginal() throws {
        let spec = Repository.specs.appendingPathComponent("vae-linear-two-layer.yaml").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("two-layer-\(getpid())").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let session = try TrainingSession(
            setup: try TrainingSetup(spec: spec, threads: 2), specPath: spec, directory: directory, resume: false)
        try session.train(to: 3000, every: 3000, checkpointEvery: 3000, observer: Quiet())

        let run = try TrainedRun(path: directory)
        let (entries, _) = try Safetensors.read(path: directory + "/checkpoint.safetensors")
        func values(_ name: String) throws -> [Double] { try XCTUnwrap(entries[name], name).values.map(Double.init) }
        let top = (weights: try values("prior_net.0.weight"), bias: try values("prior_net.0.bias"), std: 0.5)
        let bottom = (weights: try values("decoder.0.weight"), bias: try values("decoder.0.bias"), std: 0.5)

        // The bounds on 1,000 test points, paired: ELBO <= IWAE-500 <= log p(x), AIS ~ log p(x).
        let test = try run.examples()
        guard case .floats(let points) = test.storage else { return XCTFail("a synthetic set of floats") }
        let exact = LinearGaussian.twoLayerMeanLogLikelihood(Array(points.prefix(1000 * 8)), top: top, bottom: bottom)
        let evaluation = Evaluation(run: run, data: test, count: 1000, threads: 2)
        let elbo = try evaluation.evaluate(.elbo).estimate
        let iwae = try evaluation.evaluate(try Metric("iwae:500")).estimate
        let annealed = try Evaluation(run: run, data: test, count: 300, threads: 2).evaluate(.ais).estimate
        let exactSubset = LinearGaussian.twoLayerMeanLogLikelihood(
            Array(points.prefix(300 * 8)), top: top, bottom: bottom)
        print("two layers: elbo \(elbo.mean), iwae:500 \(iwae.mean), exact \(exact); ais \(annealed.mean), exact \(exactSubset)")
        XCTAssertLessThan(elbo.mean, iwae.mean)
        XCTAssertLessThanOrEqual(iwae.mean, exact + 0.01)
        XCTAssertEqual(iwae.mean, exact, accuracy: 0.03)
        XCTAssertEqual(annealed.mean, exactSubset, accuracy: 0.05)

        // Ancestral samples of the model's mean B h1 + b: h2 from its prior, then h1 from
        // p(h1 | h2). Without h1's own noise the covariance would lack B^T (0.25 I) B.
        let count = 20000
        let samples = try run.sample(count: count, seed: 3, threads: 2).map(Double.init)
        let (mean, covariance) = LinearGaussian.twoLayerMoments(top: top, bottom: bottom, observationNoise: false)
        let sampleMean = (0..<8).map { j in (0..<count).reduce(0.0) { $0 + samples[$1 * 8 + j] } / Double(count) }
        for j in 0..<8 { XCTAssertEqual(sampleMean[j], mean[j], accuracy: 0.05 * (covariance[j][j].squareRoot() + 1)) }
        var worst = 0.0
        for i in 0..<8 {
            for j in 0..<8 {
                let sample =
                    (0..<count).reduce(0.0) { $0 + (samples[$1 * 8 + i] - sampleMean[i]) * (samples[$1 * 8 + j] - sampleMean[j]) }
                    / Double(count - 1)
                let scale = (covariance[i][i] * covariance[j][j]).squareRoot()
                worst = max(worst, abs(sample - covariance[i][j]) / scale)
            }
        }
        XCTAssertLessThan(worst, 0.05, "sample covariance against B^T (A^T A + 0.25 I) B, relative to the scales")
    }
}
