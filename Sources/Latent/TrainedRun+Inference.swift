import Foundation
import LatentData
import LatentIR
import LatentRuntime
import LatentSpec

extension TrainedRun {
    /// Which value of the categorical latent (a semi-supervised or clustering AAE's label)
    /// samples take.
    public enum Label: Sendable {
        /// This class for every sample.
        case fixed(Int)
        /// `count` samples for each class in turn, the other latents the same for every class.
        case every
    }

    /// `count` samples, one after another: latents drawn from their priors, decoded to the
    /// model's mean of x (a GAN's generator output), through the `sample` phase; or with a
    /// `label`, through `decode` with the label fixed and the other latents drawn here, the
    /// same draws for every label. The same seed gives the same samples, and the first k do
    /// not depend on `count`.
    public func sample(count n: Int, seed: UInt64, label: Label? = nil, threads: Int) throws -> [Float] {
        guard let label else {
            let sampler = try bind("sample", batch: min(n, 1000), threads: threads, purpose: "sample")
            return try outputs(sampler, count: n, seed: seed)
        }
        let latents = latents
        guard let index = latents.firstIndex(where: { $0.distribution.isCategorical }) else {
            throw LatentError.usage("--label needs a categorical latent; \(path) has none")
        }
        let classes = latents[index].width
        let fixed: Int?
        switch label {
        case .fixed(let value):
            guard (0..<classes).contains(value) else { throw LatentError.usage("--label must be between 0 and \(classes - 1)") }
            fixed = value
        case .every: fixed = nil
        }
        let offset = latents.prefix(index).reduce(0) { $0 + $1.width }
        let rows = Sizes.product([n, fixed == nil ? classes : 1])
        do {
            try MemoryBudget.require(
                [("samples", rows.flatMap { Sizes.product([$0, pipeline.model.spec.data.width, 4]) })],
                for: "sampling \(rows ?? 0) rows")
        } catch { throw LatentError.resources("\(error)") }
        let decoder = try bind("decode", batch: min(n, 1000), threads: threads, purpose: "sample")
        let philox = Philox(seed: seed)
        let codes = decoder.input(InputName.codes)
        return try (fixed.map { [$0] } ?? Array(0..<classes)).flatMap { label in
            try outputs(decoder, count: n, seed: seed) { rows in
                let width = codes.count / decoder.batch
                for row in 0..<decoder.batch {
                    var code = Prior.sampleCodes(latents, row: rows.lowerBound + row, philox: philox)
                    for j in 0..<classes { code[offset + j] = j == label ? 1 : 0 }
                    for j in 0..<width { codes[row * width + j] = Float(code[j]) }
                }
            }
        }
    }

    /// Every latent's code of the first `count` examples of `data`, in spec order (Gaussian
    /// means, label probabilities); with `draw`, each drawn from q(z | x) instead.
    public func encode(_ data: Dataset, count: Int, seed: Int, draw: Bool = false, threads: Int) throws -> [Float] {
        try outputs(of: draw ? "encode_draw" : "encode", on: data, count: count, seed: seed, threads: threads, purpose: "encode")
    }

    /// The model's mean of x given each of the first `count` examples' codes.
    public func reconstruct(_ data: Dataset, count: Int, seed: Int, threads: Int) throws -> [Float] {
        try outputs(of: "reconstruct", on: data, count: count, seed: seed, threads: threads, purpose: "reconstruct")
    }

    /// The model's mean of x at `steps` evenly spaced points between the codes of examples
    /// `from` and `to` of `data`, one after another.
    public func interpolate(
        _ data: Dataset, from: Int, to: Int, steps: Int, seed: UInt64, threads: Int
    ) throws -> [Float] {
        guard from >= 0, to >= 0, from < data.count, to < data.count else {
            throw LatentError.usage("--from and --to must be example indices below \(data.count)")
        }
        let encoder = try bind("encode", batch: 2, threads: threads, purpose: "interpolate")
        data.fill(ArraySlice([from, to]), into: encoder.data)
        encoder.run(seed: seed, step: 0)
        let width = encoder.output.count / 2
        let ends = (Array(encoder.output.prefix(width)), Array(encoder.output.suffix(width)))
        let decoder = try bind("decode", batch: steps, threads: threads, purpose: "interpolate")
        let codes = decoder.input(InputName.codes)
        for step in 0..<steps {
            let t = Float(step) / Float(max(steps - 1, 1))
            for j in 0..<width { codes[step * width + j] = (1 - t) * ends.0[j] + t * ends.1[j] }
        }
        decoder.run(seed: seed, step: 0)
        return Array(decoder.output)
    }
}
