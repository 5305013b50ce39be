import ArgumentParser

/// Validation of numeric command-line values: every one is checked against its range, with
/// a message that names the option and the value found.
enum OptionChecks {
    /// `value` (when given) lies in `range`.
    static func check(_ value: Int?, _ name: String, in range: ClosedRange<Int>) throws {
        guard let value, !range.contains(value) else { return }
        let bound = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
        throw ValidationError("\(name) must be \(bound), found \(value)")
    }

    /// `value` is a finite number above zero.
    static func checkPositive(_ value: Double, _ name: String) throws {
        guard value.isFinite, value > 0 else { throw ValidationError("\(name) must be a positive finite number, found \(value)") }
    }
}
