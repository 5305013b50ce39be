import Foundation
import Latent
import LatentRuntime
import LatentTestSupport
import XCTest

/// An AAE whose discriminator reads the label, D(z, label) (Makhzani et al. 2015, section
/// 2.3), trained as a user would (`TrainingSession`): the prior samples come from the label's
/// stretch of a swiss roll, so each class's codes must settle on its own stretch. Without the
/// label nothing ties a class to a stretch, and the codes of a class spread over the roll.
final class LabelGuidedTests: XCTestCase {
    final class Quiet: TrainingObserver {}

    /// Eight classes (the modes of a ring) onto eight stretches of a swiss roll's arc.
    static func spec(discriminator: String) -> String {
        """
        latent: 1
        data:
          source: ring(8, radius=2, std=0.1, n=4000)
        latents:
          z:
            dim: 2
            prior: swiss_roll()
        networks:
          encoder:
            layers: [dense 64 relu, dense 64 relu, dense 2]
          decoder:
            layers: [dense 64 relu, dense 64 relu, dense 2]
          D:
            layers: [dense 64 relu, dense 64 relu, dense 1]
        model:
          - x ~ gaussian(decoder(z), std=0.1)
        inference:
          - z = encoder(x)
        objective:
          kind: aae
          discriminator: \(discriminator)
        training:
          batch: 100
          seed: 1
          optimizer_state: shared
          optimizers:
            encoder, decoder: adam(lr=0.001)
            D: adam(lr=0.001, beta1=0.5)
        """
    }

    /// The fraction of 1,000 test codes on their class's stretch: the stretch of the roll
    /// point nearest to the code is the class's (stretch k: t in the k-th eighth of the arc).
    func fractionOnTheirStretch(discriminator: String, steps: Int) throws -> Double {
        let spec = try temporaryFile("guided.yaml", Array(Self.spec(discriminator: discriminator).utf8))
        let directory = spec + ".run"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let session = try TrainingSession(
            setup: try TrainingSetup(spec: spec, threads: 2), specPath: spec, directory: directory, resume: false)
        try session.train(to: steps, every: steps, checkpointEvery: steps, observer: Quiet())
        let run = try TrainedRun(path: directory)
        let test = try run.examples()
        let labels = try XCTUnwrap(test.labels)
        let codes = try run.encode(test, count: 1000, seed: 0, threads: 2)
        let curve = (0..<4000).map { i -> (Double, Double) in
            let t = 1.5 * Double.pi * (1 + 2 * (Double(i) + 0.5) / 4000)
            return (t * cos(t) / 10, t * sin(t) / 10)
        }
        var onStretch = 0
        for row in 0..<1000 {
            let (x, y) = (Double(codes[2 * row]), Double(codes[2 * row + 1]))
            let nearest = curve.indices.min { a, b in
                let (ax, ay) = curve[a]
                let (bx, by) = curve[b]
                return (ax - x) * (ax - x) + (ay - y) * (ay - y) < (bx - x) * (bx - x) + (by - y) * (by - y)
            }
            if (nearest ?? 0) / 500 == labels[row] { onStretch += 1 }
        }
        return Double(onStretch) / 1000
    }

    func testEachClassSettlesOnItsStretchOfTheRoll() throws {
        let guided = try fractionOnTheirStretch(discriminator: "D(z, label)", steps: 4000)
        let unguided = try fractionOnTheirStretch(discriminator: "D(z)", steps: 4000)
        print("label-guided AAE: \(guided) of the codes on their class's stretch; without the label \(unguided)")
        XCTAssertGreaterThan(guided, 0.9)
        XCTAssertLessThan(unguided, 0.6)
    }
}
