import Foundation
import LatentCompiler
import LatentSpec
import LatentTestSupport
import XCTest

/// The specs in `Specs/` check cleanly, and their resolved form is golden, idempotent and valid.
final class ExampleSpecTests: XCTestCase {
    static let resolvedFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/resolved")

    func testEveryExampleSpecChecksWithoutDiagnostics() throws {
        let specs = try Repository.specFiles()
        let names = Set(specs.map(\.lastPathComponent))
        for required in [
            "vae.yaml", "gan.yaml", "aae.yaml", "aae-gaussian.yaml", "aae-implicit.yaml", "aae-semisupervised.yaml",
            "aae-clustering.yaml", "avb.yaml", "avb-toy.yaml", "avb-contrast.yaml", "gan-ring.yaml",
            "aae-mixture-prior.yaml",
            "vae-linear.yaml",
        ] {
            XCTAssertTrue(names.contains(required), "Specs/\(required) is missing")
        }
        for url in specs {
            let (model, diagnostics) = Checker.check(try SourceFile.read(path: url.path))
            XCTAssertEqual(diagnostics.all.map(\.fullMessage), [], url.lastPathComponent)
            XCTAssertNotNil(model, url.lastPathComponent)
        }
    }

    func testResolvedSpecsAreGoldenIdempotentAndValid() throws {
        for url in try Repository.specFiles() {
            let name = url.lastPathComponent
            let model = try XCTUnwrap(Checker.check(try SourceFile.read(path: url.path)).model, name)
            let resolved = ResolvedSpecPrinter.print(model.spec)
            Golden.assertMatches(resolved, file: Self.resolvedFolder.appendingPathComponent(name + ".expected"))
            let again = Checker.check(SourceFile(path: "resolved/" + name, text: resolved))
            XCTAssertEqual(again.diagnostics.all.map(\.fullMessage), [], "the resolved \(name) is not a valid spec")
            XCTAssertEqual(
                again.model.map { ResolvedSpecPrinter.print($0.spec) }, resolved, "resolving \(name) twice changes it")
        }
    }

    /// Shapes the checker infers for one spec, against what the spec implies by hand.
    func testInferredShapesOfAVB() throws {
        let url = Repository.specs.appendingPathComponent("avb.yaml")
        let model = try XCTUnwrap(Checker.check(try SourceFile.read(path: url.path)).model)
        XCTAssertEqual(model.networkShapes["encoder"]?.input, [784 + 32])
        XCTAssertEqual(model.networkShapes["encoder"]?.output, [32])
        XCTAssertEqual(model.networkShapes["decoder"]?.input, [32])
        XCTAssertEqual(model.networkShapes["decoder"]?.output, [784])
        XCTAssertEqual(model.networkShapes["T"]?.input, [784 + 32])
        XCTAssertEqual(model.networkShapes["T"]?.output, [1])
        XCTAssertEqual(model.encoders["z"], .implicit(noise: ["eps"]))
        XCTAssertEqual(model.trainedNetworks, ["encoder", "decoder", "T"])
    }

    /// Image shapes through the convolutional VAE, layer by layer, as torch_ref.py's.
    func testInferredShapesOfTheConvolutionalVAE() throws {
        let url = Repository.specs.appendingPathComponent("vae-conv.yaml")
        let model = try XCTUnwrap(Checker.check(try SourceFile.read(path: url.path)).model)
        XCTAssertEqual(model.networkShapes["encoder"]?.input, [1, 28, 28])
        XCTAssertEqual(model.networkShapes["encoder"]?.layers, [[32, 14, 14], [64, 7, 7], [3136], [64]])
        XCTAssertEqual(model.networkShapes["encoder"]?.largestValue, 7 * 7 * 4 * 4 * 32)
        XCTAssertEqual(model.networkShapes["decoder"]?.layers, [[3136], [64, 7, 7], [32, 14, 14], [1, 28, 28]])
    }

    func testInferredShapesOfTheSemiSupervisedAAE() throws {
        let url = Repository.specs.appendingPathComponent("aae-semisupervised.yaml")
        let model = try XCTUnwrap(Checker.check(try SourceFile.read(path: url.path)).model)
        XCTAssertEqual(model.networkShapes["decoder"]?.input, [10 + 8])
        XCTAssertEqual(model.networkShapes["decoder"]?.output, [784])
        XCTAssertEqual(model.networkShapes["D_y"]?.input, [10])
        XCTAssertEqual(model.networkShapes["D_y"]?.output, [1])
        XCTAssertEqual(model.encoders, ["y": .categorical, "z": .deterministic])
    }
}
