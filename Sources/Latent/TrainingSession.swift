import Foundation
import LatentIR
import LatentRuntime

/// The figures of one moment of training, as progress reports and metrics records give them.
public struct TrainingFigures: Sendable {
    public var step: Int
    /// The epoch in progress, from 1.
    public var epoch: Int
    /// Each phase's mean loss since the last record (what it minimises: for an ELBO phase,
    /// the negative ELBO).
    public var losses: [(phase: String, loss: Double)]
    public var samplesPerSecond: Double
    /// Seconds per step lately, for the time left.
    public var secondsPerStep: Double

    public init(
        step: Int, epoch: Int, losses: [(phase: String, loss: Double)], samplesPerSecond: Double,
        secondsPerStep: Double
    ) {
        self.step = step
        self.epoch = epoch
        self.losses = losses
        self.samplesPerSecond = samplesPerSecond
        self.secondsPerStep = secondsPerStep
    }
}

/// What a training session tells as it goes, and how it is asked to stop. Every method has
/// a default that does nothing.
public protocol TrainingObserver: AnyObject {
    /// After every step (before `stopRequest` is asked).
    func stepped(_ figures: TrainingFigures)
    /// Every `every` steps and at the end, as the figures are recorded in the run directory.
    func recorded(_ figures: TrainingFigures)
    /// At an epoch's end (at most once per `every` steps) and at the end: each phase's loss
    /// on the test split (empty without one).
    func tested(step: Int, losses: [(phase: String, loss: Double)])
    /// A signal number (SIGINT, SIGTERM) to stop after the current step with a checkpoint,
    /// or nil to go on. Asked after every step.
    var stopRequest: Int32? { get }
}

extension TrainingObserver {
    public func stepped(_ figures: TrainingFigures) {}
    public func recorded(_ figures: TrainingFigures) {}
    public func tested(step: Int, losses: [(phase: String, loss: Double)]) {}
    public var stopRequest: Int32? { nil }
}

/// A spec training in a run directory: started afresh or resumed from its checkpoint, then
/// trained step by step with metrics records, TensorBoard events, epoch summaries and
/// checkpoints. Under MPI, process 0 alone writes the run directory (`writes`); the others
/// train in step with it.
public final class TrainingSession {
    public let setup: TrainingSetup
    /// The run directory (nil in a process that does not write it).
    public let run: RunDirectory?
    let summary: EpochSummary?

    /// Opens `directory` for `setup`: a new run (refused if the folder holds one, unless
    /// `overwrite`), or with `resume` the run there, its checkpoint loaded. `specPath` is the
    /// spec file `setup` was compiled from (its data paths are relative to it).
    public init(
        setup: TrainingSetup, specPath: String, directory: String, resume: Bool, overwrite: Bool = false,
        writes: Bool = true
    ) throws {
        self.setup = setup
        let trainer = setup.trainer
        var run: RunDirectory?
        if resume {
            if writes { run = try RunDirectory.resume(directory) }
            do { try trainer.resume(from: directory + "/checkpoint.safetensors") } catch {
                throw LatentError.data("\(error)")
            }
            if let run {
                try run.keepMetrics(upTo: Int(trainer.step))
                try RunDirectory.write(Data(trainer.specText.utf8), to: run.resolvedSpec)
            }
        } else if writes {
            run = try RunDirectory.create(directory, overwrite: overwrite)
            try run?.start(resolvedSpec: trainer.specText)
        }
        self.run = run
        summary = try run.map { _ in try EpochSummary(setup: setup, specPath: specPath) }
    }

    /// The steps done so far (the checkpoint's, when resumed).
    public var step: Int { Int(setup.trainer.step) }

    /// Trains up to step `last`: a metrics record every `every` steps, a checkpoint every
    /// `checkpointEvery` steps and at the end. A loss that is not finite is a numerical
    /// error naming the last good checkpoint; a stop request writes a checkpoint and ends
    /// with an interrupted or terminated error.
    public func train(to last: Int, every: Int = 100, checkpointEvery: Int = 1000, observer: TrainingObserver) throws {
        guard step < last else { return }
        let trainer = setup.trainer
        let steps = (step + 1)...last
        let phases = setup.program.phases
        var sums = [Double](repeating: 0, count: phases.count)
        var counted = 0
        var intervalStart = Date()
        let clock = Date()
        // The step of the newest checkpoint on disk (nil: none written by this run yet).
        var checkpointed: Int? = steps.lowerBound > 1 ? steps.lowerBound - 1 : nil
        // Epoch summaries come at epochs' ends, at most one per `every` steps, and at the end.
        var summarized = (epoch: trainer.epoch, step: steps.lowerBound - 1)
        func figures(_ step: Int) -> TrainingFigures {
            let seconds = Date().timeIntervalSince(intervalStart)
            return TrainingFigures(
                step: step, epoch: trainer.epoch + 1,
                losses: zip(phases, sums).map { ($0.name, $1 / Double(max(counted, 1))) },
                samplesPerSecond: Double(counted * setup.batch) / max(seconds, 1e-9),
                secondsPerStep: seconds / Double(max(counted, 1)))
        }
        for step in steps {
            do { try trainer.trainStep() } catch {
                let last =
                    checkpointed.map { "the last good checkpoint is \(run?.checkpoint ?? "") (step \($0))" }
                    ?? "no checkpoint was written before it"
                throw LatentError.numerical("\(error); \(last)")
            }
            for (index, loss) in trainer.losses.enumerated() { sums[index] += Double(loss) }
            counted += 1
            if run != nil { observer.stepped(figures(step)) }
            // Every process stops at the same step when any of them was asked to.
            var signal = observer.stopRequest
            if trainer.communicator.size > 1, trainer.communicator.any(signal != nil) { signal = signal ?? SIGTERM }
            guard let run else {
                if let signal {
                    _ = trainer.communicator.any(false)  // process 0 has written its checkpoint
                    throw LatentError(kind: signal == SIGTERM ? .terminated : .interrupted, message: "")
                }
                continue
            }
            if step % every == 0 || step == steps.upperBound {
                let now = figures(step)
                observer.recorded(now)
                try run.record(
                    step: step, epoch: now.epoch, losses: now.losses, samplesPerSecond: now.samplesPerSecond,
                    seconds: Date().timeIntervalSince(clock))
                sums = sums.map { _ in 0 }
                counted = 0
                intervalStart = Date()
            }
            if let summary,
                (trainer.epoch != summarized.epoch && step - summarized.step >= every) || step == steps.upperBound
            {
                observer.tested(step: step, losses: try summary.record(step: step, epoch: trainer.epoch, in: run))
                summarized = (trainer.epoch, step)
                intervalStart = Date()
            }
            if step % checkpointEvery == 0 || step == steps.upperBound || signal != nil {
                try run.save(trainer)
                checkpointed = step
            }
            if let signal {
                if trainer.communicator.size > 1 { _ = trainer.communicator.any(false) }
                let name = signal == SIGTERM ? "terminated (SIGTERM)" : "interrupted"
                throw LatentError(
                    kind: signal == SIGTERM ? .terminated : .interrupted,
                    message: "\(name) at step \(step); checkpoint written to \(run.checkpoint) (continue with --resume \(run.path))")
            }
        }
    }
}
