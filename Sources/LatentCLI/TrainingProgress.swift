import Foundation
import Latent

/// Shows training progress: on a terminal, one bar redrawn in place (step, epoch, each
/// phase's mean loss, samples/s, time left) with a permanent line per epoch; otherwise a
/// plain line per logging interval. Under mpirun every process has a pseudo-terminal
/// whatever mpirun's own output is, so there it prints lines. Ctrl-C and SIGTERM (see
/// `Interruption`) ask training to stop.
final class TrainingProgress: TrainingObserver {
    let total: Int
    let isTerminal: Bool
    private var lastDraw = Date.distantPast
    /// The epoch of the last permanent line.
    private var epoch = 0

    init(
        total: Int,
        isTerminal: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
            && ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] == nil
    ) {
        self.total = total
        self.isTerminal = isTerminal
    }

    /// The epoch the first line is in (a resumed run's).
    convenience init(total: Int, firstEpoch: Int) {
        self.init(total: total)
        epoch = firstEpoch
    }

    var stopRequest: Int32? { Interruption.requested }

    func stepped(_ figures: TrainingFigures) { draw(figures) }

    /// A line per record (on a terminal, per epoch and at the end).
    func recorded(_ figures: TrainingFigures) {
        if !isTerminal || figures.epoch != epoch || figures.step == total { line(figures) }
        epoch = figures.epoch
    }

    func tested(step: Int, losses: [(phase: String, loss: Double)]) {
        guard !losses.isEmpty else { return }
        note(
            "test split at step \(step): loss: "
                + losses.map { String(format: "%@ %.4f", $0.phase, $0.loss) }.joined(separator: "  "))
    }

    /// Redraws the bar (at most ten times a second, always at the last step).
    func draw(_ figures: TrainingFigures) {
        guard isTerminal else { return }
        let now = Date()
        guard figures.step == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let fraction = Double(figures.step) / Double(max(total, 1))
        let filled = Int(fraction * 24)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 24 - filled)
        let left = Double(total - figures.step) * figures.secondsPerStep
        let text =
            String(format: "\r\u{1B}[2K%@ %3.0f%% ", bar, fraction * 100) + Self.describe(figures, total: total)
            + "  ETA " + Self.duration(left)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A permanent line: printed above the bar on a terminal, on its own otherwise.
    func line(_ figures: TrainingFigures) { note(Self.describe(figures, total: total)) }

    /// Any permanent line, printed as `line` prints.
    func note(_ text: String) {
        print((isTerminal ? "\r\u{1B}[2K" : "") + text)
        fflush(nil)
    }

    /// Ends the bar's line before other output.
    func finish() {
        if isTerminal { print("") }
    }

    static func describe(_ figures: TrainingFigures, total: Int) -> String {
        // Every phase's value is the loss it minimises (for an ELBO phase, the negative ELBO).
        String(format: "step %d/%d  epoch %d  loss: ", figures.step, total, figures.epoch)
            + figures.losses.map { String(format: "%@ %.4f", $0.phase, $0.loss) }.joined(separator: "  ")
            + String(format: "  %.0f samples/s", figures.samplesPerSecond)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
