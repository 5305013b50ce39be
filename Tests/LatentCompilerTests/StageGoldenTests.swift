import Foundation
import LatentCompiler
import LatentIR
import LatentTestSupport
import XCTest

/// Golden files of every compiler stage for every spec in `Specs/`
/// (re-record with `LATENT_RECORD=1 swift test`, then read the diff).
final class StageGoldenTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/stages")

    func testEveryStageOfEverySpec() throws {
        for url in try Repository.specFiles() {
            let pipeline = try PhaseGradientTests.compile(url)
            let name = url.deletingPathExtension().lastPathComponent
            for (stage, program) in [
                ("ir", pipeline.ir), ("grad", pipeline.grad), ("fused", pipeline.fused), ("plan", pipeline.planned),
                ("inference", pipeline.inference()),
            ] {
                Golden.assertMatches(
                    ProgramPrinter.print(program), file: Self.folder.appendingPathComponent("\(name).\(stage).expected")
                )
            }
        }
    }

    /// The data-parallel step of a one-phase and a two-phase model (`latent compile --emit
    /// sharded`): every gradient stored, updates in one group (VAE) or two (GAN).
    func testShardedSteps() throws {
        for name in ["vae", "gan"] {
            let pipeline = try PhaseGradientTests.compile(Repository.specs.appendingPathComponent(name + ".yaml"))
            Golden.assertMatches(
                ProgramPrinter.print(pipeline.shardedStep(batch: 100, shards: 2)),
                file: Self.folder.appendingPathComponent("\(name).sharded.expected"))
        }
    }

    /// The acceptance check of the compiler issue: AVB's fused stage has fused dense layers
    /// with activations, and its step's plan an arena smaller than the values it holds.
    func testAVBFusesDenseLayersAndPlansAnArena() throws {
        let pipeline = try PhaseGradientTests.compile(Repository.specs.appendingPathComponent("avb.yaml"))
        let text = ProgramPrinter.print(pipeline.planned)
        XCTAssertTrue(text.contains(", relu "), "no fused dense + relu")
        XCTAssertTrue(text.contains("= fused ["), "no fused elementwise kernel")
        let plan = try XCTUnwrap(pipeline.planned.step?.plan)
        XCTAssertLessThan(plan.arenaBytes, plan.unplannedBytes)
    }
}
