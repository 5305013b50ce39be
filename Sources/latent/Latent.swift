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
            """ + "\n\n" + CommandFailure.table,
        subcommands: [
            CheckCommand.self, CompileCommand.self, GraphCommand.self, TrainCommand.self, SampleCommand.self,
            EncodeCommand.self, ReconstructCommand.self, InterpolateCommand.self, EvalCommand.self, PlotCommand.self,
            BenchCommand.self,
            SchemaCommand.self,
        ])

    /// Every failure ends here: its message on standard error and its kind's exit code
    /// (ArgumentParser's own usage errors exit with 2 instead of 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            if [.spec, .interrupted, .terminated].contains(failure.kind) {
                printError(failure.message)
            } else if !failure.message.isEmpty {
                printError("error: " + failure.message)
            }
            Foundation.exit(failure.kind.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(CommandFailure.Kind.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
