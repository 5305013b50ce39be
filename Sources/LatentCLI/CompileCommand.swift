import ArgumentParser
import Foundation
import Latent
import LatentCompiler
import LatentIR
import LatentSpec

/// `latent compile SPEC --emit STAGE`: print a stage of the compiler as stable text.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a spec and print a stage of the compiler.",
        discussion: """
            Stages: resolved (the spec with every default explicit; itself a valid spec), \
            ir (the objective lowered to phases of tape IR), grad (the training step: each phase \
            with its backward pass, in schedule order, each followed by its optimizer updates), \
            fused (the step after dead-code elimination, common-subexpression elimination across \
            its phases, fusion, and the updates moved next to their gradients), plan (each \
            value's offset in the step's arena, and the arena size, for the spec's batch), \
            inference (the trained model's inference programs: sample, decode, encode, ... each \
            with its named inputs and output, after the same passes), sharded (the step of a \
            data-parallel run, planned for one of the spec's shards, at least 2: gradients \
            stored, and each run of consecutive updates one exchange of gradients between \
            processes).
            """)

    enum Stage: String, ExpressibleByArgument, CaseIterable {
        case resolved, ir, grad, fused, plan, inference, sharded
    }

    @Argument(help: "The spec file.")
    var spec: String

    @Option(help: "Which stage to print: \(Stage.allCases.map(\.rawValue).joined(separator: ", ")).")
    var emit: Stage = .resolved

    func run() throws {
        let pipeline = try SpecFiles.compile(spec)
        switch emit {
        case .resolved: print(ResolvedSpecPrinter.print(pipeline.model.spec), terminator: "")
        case .ir: print(ProgramPrinter.print(pipeline.ir), terminator: "")
        case .grad: print(ProgramPrinter.print(pipeline.grad), terminator: "")
        case .fused: print(ProgramPrinter.print(pipeline.fused), terminator: "")
        case .plan: print(ProgramPrinter.print(pipeline.planned), terminator: "")
        case .inference: print(ProgramPrinter.print(pipeline.inference()), terminator: "")
        case .sharded:
            let training = pipeline.model.spec.training
            let shards = max(2, training.shards.value)
            if let problem = pipeline.model.shardingProblems(batch: training.batch.value, shards: shards).first {
                throw LatentError.usage(problem.message)
            }
            print(
                ProgramPrinter.print(pipeline.shardedStep(batch: training.batch.value, shards: shards)), terminator: "")
        }
    }
}
