import ArgumentParser
import Foundation
import Latent
import LatentMPI
import LatentRuntime

/// The `latent` command: check, compile, draw, train and benchmark model specs.
@main
struct LatentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Turn a declarative model spec into a trained generative model.",
        discussion: """
            A spec (YAML) names the data, the latent variables and their priors, the networks, \
            and the objective: the VAE ELBO, the GAN game, the adversarial autoencoder, or \
            adversarial variational Bayes. See README.md for the spec language.
            """ + "\n\n" + LatentError.table,
        subcommands: [
            CheckCommand.self, CompileCommand.self, GraphCommand.self, TrainCommand.self, SampleCommand.self,
            EncodeCommand.self, ReconstructCommand.self, InterpolateCommand.self, EvalCommand.self, PlotCommand.self,
            ExportCommand.self,
            BenchCommand.self,
            SchemaCommand.self,
        ])

    /// Every failure ends here: its message on standard error and its kind's exit code
    /// (ArgumentParser's own usage errors exit with 2 instead of 64).
    static func main() {
        Processes.mpi = MPICommunicator.joinIfLaunched()
        SpecFiles.colorsDiagnostics = Terminal.errorSupportsColor
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as LatentError {
            let plain: [LatentError.Kind] = [.spec, .interrupted, .terminated]
            let message = plain.contains(failure.kind) || failure.message.isEmpty ? failure.message : "error: " + failure.message
            // Every process stops together at a signal (after process 0's checkpoint).
            Processes.fail(message, code: failure.kind.rawValue, abort: ![.interrupted, .terminated].contains(failure.kind))
        } catch {
            if exitCode(for: error) == .validationFailure {
                Processes.fail(fullMessage(for: error), code: LatentError.Kind.usage.rawValue)
            }
            if exitCode(for: error) != .success, Processes.mpi.map({ $0.size > 1 }) == true {
                Processes.fail(fullMessage(for: error), code: exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }
}

/// The processes of this run: one, or those `mpirun` started (then process 0 alone writes
/// the run's files and progress).
enum Processes {
    nonisolated(unsafe) static var mpi: MPICommunicator?

    static var world: any Communicator { mpi ?? SingleProcess() }

    /// Whether this process reports (the only one, or process 0).
    static var leads: Bool { (mpi?.rank ?? 0) == 0 }

    /// Reports a failure (nothing for an empty message) and exits with `code`. Under mpirun
    /// with several processes, `abort` ends every process of the job (MPI_Abort), so none
    /// waits for one that has gone; and a process other than 0 waits a second before it
    /// reports, so a failure every process meets (a bad spec, a NaN) is reported once, by
    /// process 0, whose abort ends the others, while one only this process meets (its data)
    /// is still reported.
    static func fail(_ message: String, code: Int32, abort: Bool = true) -> Never {
        let parallel = mpi.map { $0.size > 1 } ?? false
        if !message.isEmpty {
            if parallel, !leads { sleep(1) }
            printError(message)
        }
        if parallel, abort, code != 0, let mpi { mpi.abort(code: code) }
        Foundation.exit(code)
    }
}
