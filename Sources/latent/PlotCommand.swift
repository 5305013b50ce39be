import ArgumentParser
import Foundation
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
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else {
            throw CommandFailure.usage("\(runPath) has no metrics.jsonl (made by latent train)")
        }
        var steps: [Double] = []
        var losses: [String: [Double]] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let step = record["step"] as? Double
            else {
                throw CommandFailure.usage("\(metrics):\(number + 1): not a metrics record")
            }
            steps.append(step)
            for (key, value) in record where key.hasPrefix("loss.") {
                losses[String(key.dropFirst(5)), default: []].append((value as? Double) ?? .nan)
            }
        }
        guard !steps.isEmpty else {
            throw CommandFailure.usage("\(metrics) is empty: train longer than one logging interval (--every)")
        }
        let series = losses.keys.sorted().map { (name: "loss " + $0, values: losses[$0] ?? []) }
        try Output.png(Plots.lines(x: steps, series: series), to: png ?? runPath + "/curves.png")
    }
}
