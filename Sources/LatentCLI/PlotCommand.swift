import ArgumentParser
import Foundation
import Latent
import LatentPictures

/// `latent plot RUN`: training curves from metrics.jsonl.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's training curves (each phase's loss against the step) from metrics.jsonl.")

    @Argument(help: "A run directory made by latent train.")
    var runPath: String

    @Option(help: "The PNG file to write (default: RUN/curves.png).")
    var png: String?

    func run() throws {
        let metrics = runPath + "/metrics.jsonl"
        guard let data = FileManager.default.contents(atPath: metrics) else {
            throw LatentError.data("\(runPath) has no metrics.jsonl (made by latent train)")
        }
        var steps: [Double] = []
        var losses: [String: [Double]] = [:]
        // A line that is not a whole record (torn by a crash or a full disk) is skipped.
        // Records of test losses (`test.loss.*`, at epochs' ends) are not training curves.
        for record in MetricsFile.records(in: data) where record.fields.keys.contains(where: { $0.hasPrefix("loss.") }) {
            steps.append(Double(record.step))
            for (key, value) in record.fields where key.hasPrefix("loss.") {
                losses[String(key.dropFirst(5)), default: []].append((value as? Double) ?? .nan)
            }
        }
        guard !steps.isEmpty else {
            throw LatentError.data("\(metrics) has no records: train longer than one logging interval (--every)")
        }
        let series = losses.keys.sorted().map { (name: "loss " + $0, values: losses[$0] ?? []) }
        try Output.png(Plots.lines(x: steps, series: series), to: png ?? runPath + "/curves.png")
    }
}
