import LatentCompiler
import LatentIR
import LatentSpec
import LatentTestSupport
import XCTest

/// The full loss of every phase of every spec in `Specs/`, differentiated by autodiff,
/// against finite differences on a tiny batch; and each phase's gradients cover exactly the
/// networks it must move.
final class PhaseGradientTests: XCTestCase {
    static func compile(_ url: URL) throws -> Pipeline {
        let file = try SourceFile.read(path: url.path)
        let (pipeline, diagnostics) = Pipeline.compile(file, name: url.deletingPathExtension().lastPathComponent)
        guard let pipeline else {
            throw XCTSkip("\(url.lastPathComponent) did not compile: \(diagnostics.all.map(\.message))")
        }
        return pipeline
    }

    /// A tiny batch of data in [0, 1] (and one-hot labels) for a spec.
    static func interpreter(for program: Program, width: Int, labels: Int?, seed: UInt64) -> ReferenceInterpreter {
        var random = TestRandom(seed)
        let batch = 3
        let data = Tensor(shape: [batch, width], values: (0..<(batch * width)).map { _ in random.uniform() })
        let labelTensor = labels.map { classes in
            Tensor(
                shape: [batch, classes],
                values: (0..<batch).flatMap { row in (0..<classes).map { $0 == row % classes ? 1.0 : 0.0 } })
        }
        return ReferenceInterpreter(
            parameters: random.initialValues(program.parameters), data: data, labels: labelTensor,
            samples: program.samples, seed: seed)
    }

    func testEveryPhaseOfEverySpecAgainstFiniteDifferences() throws {
        for url in try Repository.specFiles() {
            let pipeline = try Self.compile(url)
            let spec = pipeline.model.spec
            let classes = pipeline.model.labelWidth
            for phase in pipeline.grad.phases {
                let interpreter = Self.interpreter(
                    for: pipeline.grad, width: spec.data.width, labels: classes, seed: 11)
                let (error, analytic, numeric) = GradientCheck.worstError(
                    phase, interpreter: interpreter, directions: 2)
                XCTAssertLessThan(
                    error, 1e-5,
                    "\(url.lastPathComponent) phase \(phase.name): analytic \(analytic), numeric \(numeric)")
            }
        }
    }

    /// Each phase takes gradients for exactly the parameters of the networks it updates, and
    /// each objective's phases update the networks the seed says (e.g. the GAN generator phase
    /// never moves D; AVB's theta/phi phase never moves T).
    func testPhasesMoveOnlyTheirOwnNetworks() throws {
        let expected: [String: [String: Set<String>]] = [
            "vae.yaml": ["elbo": ["encoder", "decoder"]],
            "gan.yaml": ["discriminator": ["D"], "generator": ["generator"]],
            "aae.yaml": [
                "reconstruction": ["encoder", "decoder"], "regularization_discriminator": ["D"],
                "regularization_generator": ["encoder"],
            ],
            "aae-semisupervised.yaml": [
                // The supervised step trains the classifier head and the trunk it reads.
                "reconstruction": ["trunk", "classifier", "encoder", "decoder"],
                "regularization_discriminator": ["D_z", "D_y"],
                "regularization_generator": ["trunk", "classifier", "encoder"], "supervised": ["trunk", "classifier"],
            ],
            "avb.yaml": ["theta_phi": ["encoder", "decoder"], "psi": ["T"]],
        ]
        for url in try Repository.specFiles() {
            let program = try Self.compile(url).grad
            for phase in program.phases {
                let updated = Set(phase.updates)
                let withGradients = Set(phase.gradients.map { program.parameters[$0.parameter].name })
                let owned = Set(program.parameters.filter { updated.contains($0.network) && $0.isTrained }.map(\.name))
                XCTAssertEqual(withGradients, owned, "\(url.lastPathComponent) \(phase.name)")
                // Running statistics have no gradient; the phase records a batch value for each
                // of its networks' statistics that it computes.
                let statistics = Set(phase.statistics.map { program.parameters[$0.parameter].name })
                XCTAssertTrue(
                    statistics.isSubset(of: program.parameters.filter { updated.contains($0.network) && !$0.isTrained }.map(\.name)),
                    "\(url.lastPathComponent) \(phase.name) records statistics of networks it does not update")
                if let wanted = expected[url.lastPathComponent]?[phase.name] {
                    XCTAssertEqual(updated, wanted, "\(url.lastPathComponent) \(phase.name)")
                }
            }
            if let phases = expected[url.lastPathComponent] {
                XCTAssertEqual(Set(program.phases.map(\.name)), Set(phases.keys), url.lastPathComponent)
            }
        }
    }
}
