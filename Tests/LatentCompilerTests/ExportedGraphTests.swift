import LatentCompiler
import LatentSpec
import XCTest

/// The graphs `latent export` writes, and the shapes their inputs and outputs take outside
/// Latent: one-channel images as [1, H, W], images of several channels as rows (Latent
/// keeps them channels last, which a [C, H, W] shape would misdescribe).
final class ExportedGraphTests: XCTestCase {
    func testGraphsAndTheirShapes() throws {
        let text = """
            latent: 1
            data: {source: fashion-mnist, shape: [1, 28, 28], range: [0, 1]}
            latents:
              z: {dim: 4, prior: 'normal(0, 1)'}
            networks:
              trunk: {layers: [conv 8 4x4 stride 2 pad 1 relu]}
              head: {layers: [flatten, dense 8]}
              decoder: {layers: [dense 784]}
            model:
              - x ~ bernoulli(logits=decoder(z))
            inference:
              - h = trunk(x)
              - z ~ gaussian(head(h))
            objective: {kind: elbo}
            training:
              batch: 10
              steps: 1
              optimizers:
                trunk, head, decoder: adam(lr=0.001)
            """
        let (pipeline, diagnostics) = Pipeline.compile(SourceFile(path: "export.yaml", text: text), name: "export")
        let compiled = try XCTUnwrap(pipeline, "\(diagnostics.sorted)")
        let graphs = Dictionary(
            uniqueKeysWithValues: Lowering.exportedGraphs(compiled.model, name: "export").map { ($0.file, $0.shapes) })
        XCTAssertEqual(Set(graphs.keys), ["decode", "encode", "networks/trunk", "networks/head", "networks/decoder"])
        XCTAssertEqual(graphs["encode"], ["x": [1, 28, 28], "codes": [4]])
        XCTAssertEqual(graphs["decode"], ["codes": [4], "mean": [1, 28, 28]])
        XCTAssertEqual(graphs["networks/trunk"], ["input": [1, 28, 28], "output": [8 * 14 * 14]])
        XCTAssertEqual(graphs["networks/head"], ["input": [8 * 14 * 14], "output": [8]])
    }
}
