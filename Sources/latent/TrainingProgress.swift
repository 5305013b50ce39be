import Foundation

/// Shows training progress: on a terminal, one bar redrawn in place (step, epoch, each
/// phase's mean loss, samples/s, time left); otherwise a plain line per logging interval.
/// Under mpirun every process has a pseudo-terminal whatever mpirun's own output is, so
/// there it prints lines.
struct TrainingProgress {
    let total: Int
    let isTerminal: Bool
    private var lastDraw = Date.distantPast

    init(
        total: Int,
        isTerminal: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
            && ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] == nil
    ) {
        self.total = total
        self.isTerminal = isTerminal
    }

    /// The figures of one moment of training.
    struct Figures {
        var step: Int
        var epoch: Int
        var losses: [(phase: String, loss: Double)]
        var samplesPerSecond: Double
        /// Seconds per step lately, for the time left.
        var secondsPerStep: Double
    }

    /// Redraws the bar (at most ten times a second, always at the last step).
    mutating func draw(_ figures: Figures) {
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
    func line(_ figures: Figures) { note(Self.describe(figures, total: total)) }

    /// Any permanent line, printed as `line` prints.
    func note(_ text: String) {
        print((isTerminal ? "\r\u{1B}[2K" : "") + text)
        fflush(nil)
    }

    /// Ends the bar's line before other output.
    func finish() {
        if isTerminal { print("") }
    }

    static func describe(_ figures: Figures, total: Int) -> String {
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
