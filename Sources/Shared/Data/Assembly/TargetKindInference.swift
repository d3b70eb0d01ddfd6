/// Infers a task's target kind from its values, and checks values against a declared kind.
///
/// The rule, applied to all of a task's targets before splitting:
/// - every value 0 or 1 → binary;
/// - every value a non-negative whole number, at least three distinct values and the largest
///   below `largestInferredClassCount` → multiclass with `largest + 1` classes;
/// - anything else → regression.
///
/// Small counts (ages, ratings) can therefore be taken for classes; declare the kind explicitly
/// (`--target-kind regression`) when that is wrong.
public enum TargetKindInference {
    /// The most classes inference will assume; more distinct whole numbers read as regression.
    public static let largestInferredClassCount = 50

    /// The kind the values suggest.
    ///
    /// - Complexity: O(n).
    public static func infer(_ values: [Double]) -> TargetKind {
        if values.allSatisfy({ $0 == 0 || $0 == 1 }) { return .binary }
        let isWhole = values.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < Double(largestInferredClassCount) }
        guard isWhole, Set(values).count >= 3, let largest = values.max() else { return .regression }
        return .multiclass(classes: Int(largest) + 1)
    }

    /// Whether `value` is a valid target of `kind`.
    public static func accepts(_ value: Double, as kind: TargetKind) -> Bool {
        switch kind {
        case .regression: value.isFinite
        case .binary: value == 0 || value == 1
        case .multiclass(let classes): value >= 0 && value < Double(classes) && value == value.rounded()
        }
    }

    /// What `kind` allows, in words, for error messages.
    static func allowedValues(of kind: TargetKind) -> String {
        switch kind {
        case .regression: "finite numbers"
        case .binary: "0 or 1"
        case .multiclass(let classes): "whole numbers from 0 to \(classes - 1)"
        }
    }
}
