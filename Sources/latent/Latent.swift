import ArgumentParser
import Foundation

/// The `latent` command: check, compile, draw, train and benchmark model specs.
@main
struct Latent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Turn a declarative model spec into a trained generative model.",
        discussion: """
            A spec (YAML) names the data, the latent variables and their priors, the networks, \
            and the objective: the VAE ELBO, the GAN game, the adversarial autoencoder, or \
            adversarial variational Bayes. See README.md for the spec language.

            Exit codes: 0 success, 1 a spec has errors, 2 usage errors (bad options, missing files).
            """,
        subcommands: [
            CheckCommand.self, CompileCommand.self, GraphCommand.self, TrainCommand.self, SampleCommand.self,
            EncodeCommand.self, ReconstructCommand.self, InterpolateCommand.self, EvalCommand.self, PlotCommand.self,
            BenchCommand.self,
            SchemaCommand.self,
        ])

    /// Usage errors exit with 2 (ArgumentParser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitCode.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension ExitCode {
    /// A spec has errors.
    static let specErrors = ExitCode(1)
    /// Bad options or missing files.
    static let usage = ExitCode(2)
}
