/// Arithmetic on sizes that come from outside (specs, file headers, checkpoints, flags):
/// products and sums that report overflow instead of trapping, and the caps Latent puts on
/// each kind of size, so a number too large to use is an error where it was written.
public enum Sizes {
    /// The most values in one example, or units in one layer (16.7 million).
    public static let maximumWidth = 1 << 24
    /// The most units of a dense layer, or filters of a convolution.
    public static let maximumUnits = 1_000_000
    /// The largest kernel side, stride or padding of a convolution.
    public static let maximumKernel = 1024
    /// The most examples in a batch.
    public static let maximumBatch = 1 << 20
    /// The most examples a data set (a file or a synthetic set) may hold.
    public static let maximumExamples = 1 << 30
    /// The most training steps, or passes over the data.
    public static let maximumSteps = 1 << 40
    /// The most passes over the data.
    public static let maximumEpochs = 1 << 20
    /// The most runs of a phase per step, draws per example (IWAE, AVB samples), classes or
    /// mixture components.
    public static let maximumRepeats = 1 << 16
    /// The most shards a batch is computed in (processes of a data-parallel run).
    public static let maximumShards = 1 << 12

    /// The product of `factors`, or nil when one is negative or the product overflows.
    public static func product(_ factors: some Sequence<Int>) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The sum of `terms`, or nil when one is negative or the sum overflows.
    public static func sum(_ terms: some Sequence<Int>) -> Int? {
        var result = 0
        for term in terms {
            guard term >= 0 else { return nil }
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
