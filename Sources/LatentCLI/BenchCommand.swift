import ArgumentParser
import Foundation
import Latent
import LatentData
import LatentIR
import LatentRuntime
import LatentSpec

/// `latent bench SPEC`: training speed, where the time goes, and peak memory.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training speed: samples/s per phase and overall, GFLOP/s, time split, peak memory.",
        discussion: """
            Trains the spec for a number of warm-up steps, then times a fixed number of steps \
            and prints samples/s per phase and overall, the GFLOP/s reached inside matrix \
            products, how the time splits between matrix products, elementwise kernels, other \
            instructions, optimizer updates and batch filling, and the process's peak resident \
            memory. Nothing is written to disk. bench/compare.sh runs this next to PyTorch \
            (eager and torch.compile) and JAX.
            """)

    @Argument(help: "The spec file.")
    var spec: String?

    @Flag(help: "Time the matrix-product kernel alone on an MLP's and the convolutions' shapes instead of training a spec.")
    var gemm = false

    @Option(parsing: .unconditional, help: "Timed training steps.")
    var steps: Int = 200

    @Option(parsing: .unconditional, help: "Untimed steps first (page faults, caches, thread start-up).")
    var warmup: Int = 20

    @Option(parsing: .unconditional, help: "Examples per batch (overrides the spec).")
    var batch: Int?

    @Option(
        parsing: .unconditional,
        help: "Shards of each batch (overrides the spec); under mpirun the processes split them.")
    var shards: Int?

    @OptionGroup var kernels: MachineOptions

    @Option(help: "Train on this file or Fashion-MNIST folder instead of the spec's data.")
    var data: String?

    @Option(help: "Output format: text or json (one line).")
    var format: ReportFormat = .text

    @Option(parsing: .unconditional, help: "Also list the N instructions of the step that take longest (text format).")
    var top: Int = 0

    func validate() throws {
        if (spec == nil) != gemm { throw ValidationError("give a spec, or --gemm") }
        try OptionChecks.check(steps, "--steps", in: 1...1_000_000)
        try OptionChecks.check(warmup, "--warmup", in: 0...1_000_000)
        try OptionChecks.check(batch, "--batch", in: 1...Sizes.maximumBatch)
        try OptionChecks.check(shards, "--shards", in: 1...Sizes.maximumShards)
        try OptionChecks.check(top, "--top", in: 0...100_000)
    }

    func run() throws {
        guard let spec else { return runGemm() }
        kernels.apply()
        let setup = try TrainingSetup(
            spec: spec, batch: batch, shards: shards, dataPath: data, threads: kernels.threads,
            processes: Processes.world)
        let trainer = setup.trainer
        do {
            for _ in 0..<warmup { try trainer.trainStep() }
            let profile = StepProfile(phases: setup.program.phases.count)
            let start = Date()
            for _ in 0..<steps { try trainer.trainStep(profile: profile) }
            let seconds = Date().timeIntervalSince(start)
            let report = BenchReport(
                model: setup.pipeline.ir.name, batch: setup.batch, threads: kernels, steps: steps, seconds: seconds,
                phases: setup.program.phases.map(\.name), profile: profile, peakBytes: Self.peakResidentBytes(),
                flopsPerStep: trainer.matrixFlopsPerStep, processes: trainer.communicator.size)
            guard Processes.leads else { return }
            print(format == .json ? report.json : report.text)
            if top > 0, format == .text, let step = setup.program.step {
                print(Self.slowest(top, step: step, program: setup.program, profile: profile, steps: steps))
            }
        } catch {
            throw LatentError.numerical("\(error)")
        }
    }

    func runGemm() {
        let results = GemmBench.run(threads: kernels.threads)
        let convolutions = GemmBench.runConvolutions(threads: kernels.threads)
        if format == .json {
            let fields = results.map { "\"\($0.0.name)\": \(BenchReport.rounded($0.1))" }.joined(separator: ", ")
            let layers = convolutions.map {
                "\"\($0.0.name)\": {\"im2col\": \(BenchReport.rounded($0.1)), \"implicit\": \(BenchReport.rounded($0.2))}"
            }.joined(separator: ", ")
            print("{\"threads\": \(kernels.threads), \"gflops\": {\(fields)}, \"convolutions\": {\(layers)}}")
        } else {
            print(
                "matrix products, \(kernels.phrase) (m x k x n, nt: B transposed, tn: A transposed)"
            )
            for (shape, rate) in results {
                print(
                    "  \(shape.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(BenchReport.rounded(rate)) GFLOP/s"
                )
            }
            print("convolutions, forward: patches then the product (im2col) against implicit GEMM")
            for (layer, im2col, implicit, same) in convolutions {
                print(
                    "  \(layer.name.padding(toLength: 20, withPad: " ", startingAt: 0)) im2col \(BenchReport.rounded(im2col)) GFLOP/s, implicit \(BenchReport.rounded(implicit)) GFLOP/s\(same ? "" : " (results differ!)")"
                )
            }
        }
    }

    /// The `count` instructions of the step with the most time, as the IR printer shows them.
    static func slowest(_ count: Int, step: Step, program: Program, profile: StepProfile, steps: Int) -> String {
        let total = profile.instructionSeconds.reduce(0, +)
        let order = profile.instructionSeconds.indices.sorted { profile.instructionSeconds[$0] > profile.instructionSeconds[$1] }
        var lines = ["  slowest instructions (ms per step, share, GFLOP/s):"]
        for index in order.prefix(count) {
            let seconds = profile.instructionSeconds[index]
            let flops = profile.instructionFlops[index]
            let rate = flops > 0 ? String(format: " %6.1f GFLOP/s", flops * Double(steps) / seconds / 1e9) : ""
            let text = ProgramPrinter.describe(step.instructions[index], parameters: program.parameters)
            lines.append(
                String(format: "  %7.3f %5.1f%%", seconds / Double(steps) * 1e3, 100 * seconds / max(total, 1e-12))
                    + rate + "  %\(index) = \(text) : \(step.instructions[index].type)")
        }
        return lines.joined(separator: "\n")
    }

    /// The most memory the process has held (Linux reports kilobytes).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}

/// The figures of one bench run, as text for people and JSON for scripts.
struct BenchReport {
    let model: String
    let batch: Int
    let threads: MachineOptions
    let steps: Int
    let seconds: Double
    let phases: [String]
    let profile: StepProfile
    let peakBytes: Int
    /// The step program's matrix-product FLOPs.
    let flopsPerStep: Double
    /// The processes of a data-parallel run (the profile is process 0's).
    var processes = 1

    var samplesPerSecond: Double { Double(steps * batch) / seconds }
    var gflops: Double { profile.gemmFlops / max(profile.gemmSeconds, 1e-12) / 1e9 }
    /// Each phase's examples per second of its own time.
    var phaseRates: [Double] {
        zip(profile.phaseRuns, profile.phaseSeconds).map { Double($0 * batch) / max($1, 1e-12) }
    }
    var split: [(String, Double)] {
        [
            ("gemm", profile.gemmSeconds), ("elementwise", profile.elementwiseSeconds), ("other", profile.otherSeconds),
            ("optimizer", profile.optimizerSeconds), ("data", profile.dataSeconds),
        ] + (profile.exchangeSeconds > 0 ? [("exchange", profile.exchangeSeconds)] : [])
    }

    var text: String {
        var lines = [
            "bench \(model): batch \(batch), \(threads.phrase)\(processes > 1 ? " in each of \(processes) processes" : ""), \(steps) timed steps"
        ]
        for (name, rate) in zip(phases, phaseRates) {
            lines.append(
                "  phase \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(Self.grouped(rate)) samples/s")
        }
        lines.append("  overall \(Self.grouped(samplesPerSecond)) samples/s (a step runs every phase on its schedule)")
        lines.append(
            String(
                format: "  matrix products: %.1f MFLOP per step (%.2f per sample) at %.1f GFLOP/s",
                flopsPerStep / 1e6, flopsPerStep / Double(batch) / 1e6, gflops))
        let total = split.reduce(0) { $0 + $1.1 }
        lines.append(
            "  time: "
                + split.map { String(format: "%@ %.1f%%", $0.0, 100 * $0.1 / max(total, 1e-12)) }.joined(
                    separator: ", "))
        if profile.exchangeSeconds > 0 {
            lines.append(
                String(
                    format: "  gradient exchange: %.2f MB from the other processes per step, %.3f ms per step",
                    profile.exchangeBytes / Double(steps) / 1e6, profile.exchangeSeconds / Double(steps) * 1e3))
        }
        lines.append(String(format: "  peak memory: %.1f MB", Double(peakBytes) / 1e6))
        return lines.joined(separator: "\n")
    }

    var json: String {
        let phaseFields = zip(phases, phaseRates).map { "\"\($0)\": \(Self.rounded($1))" }.joined(separator: ", ")
        let splitFields = split.map { "\"\($0.0)\": \(Self.rounded($0.1 / Double(steps) * 1e3))" }.joined(
            separator: ", ")
        return "{\"model\": \"\(model)\", \"batch\": \(batch), \"threads\": \(threads.threads), \"steps\": \(steps), "
            + "\"samples_per_s\": \(Self.rounded(samplesPerSecond)), \"phase_samples_per_s\": {\(phaseFields)}, "
            + "\"gemm_gflops\": \(Self.rounded(gflops)), \"ms_per_step\": {\(splitFields)}, "
            + "\"mflop_per_sample\": \(String(format: "%.3f", flopsPerStep / Double(batch) / 1e6)), "
            + "\"exchange_mb_per_step\": \(String(format: "%.3f", profile.exchangeBytes / Double(steps) / 1e6)), "
            + "\"processes\": \(processes), \"peak_mb\": \(Self.rounded(Double(peakBytes) / 1e6))}"
    }

    static func rounded(_ value: Double) -> String { String(format: "%.1f", value) }

    static func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
    }
}
