import Foundation
import Shared

/// The options of `mtif evaluate`, parsed and checked before anything is read.
struct EvaluationOptions {
    /// What runs when no kind of evaluation is named.
    static let defaultLeaveOneOutCount = 100
    static let defaultSubsetCount = 50
    static let defaultFraction = 0.5

    var runDirectory: String
    /// `--loo N`; nil without it. `isLeaveOneOutCountDefault` when chosen for lack of any kind.
    var leaveOneOutCount: Int?
    var isLeaveOneOutCountDefault = false
    /// `--loo-examples`, resolved against the run's tasks by `EvaluationPlan`.
    var listedExamples: String?
    var isLeaveOneTaskOut: Bool
    /// `--lds M`; nil without it.
    var subsetCount: Int?
    var fraction: Double
    var hasBaselines: Bool
    var seed: UInt64
    var lookaheadStep: Double
    var retraining: RetrainingOptions

    /// - Throws: `UsageError` naming the option, what it accepts and what it was given.
    init(_ arguments: CommandArguments) throws {
        guard arguments.positional.count == 1 else {
            throw UsageError(
                "evaluate expects one run directory (written by mtif score --out DIR), found "
                    + "\(arguments.positional.count) arguments.")
        }
        runDirectory = arguments.positional[0]
        leaveOneOutCount = try Self.count(arguments, "loo", minimum: 1, meaning: "examples")
        listedExamples = arguments.value("loo-examples")
        isLeaveOneTaskOut = arguments.isSet("loto")
        subsetCount = try Self.count(arguments, "lds", minimum: 2, meaning: "subsets (Spearman needs two)")
        hasBaselines = arguments.isSet("baselines")
        if leaveOneOutCount == nil, listedExamples == nil, !isLeaveOneTaskOut, subsetCount == nil, !hasBaselines {
            (leaveOneOutCount, isLeaveOneOutCountDefault) = (Self.defaultLeaveOneOutCount, true)
            (isLeaveOneTaskOut, subsetCount, hasBaselines) = (true, Self.defaultSubsetCount, true)
        }

        fraction = try Self.real(arguments, "alpha", default: Self.defaultFraction, applies: subsetCount != nil)
        guard fraction > 0, fraction < 1 else {
            throw UsageError(
                "--alpha is the fraction of every task's training examples a subset keeps, in (0, 1); "
                    + "found \(fraction).")
        }
        lookaheadStep = try Self.real(
            arguments, "lookahead-step", default: TaskAffinity.defaultLookaheadStep, applies: hasBaselines)
        guard lookaheadStep > 0, lookaheadStep.isFinite else {
            throw UsageError("--lookahead-step must be a positive step size, found \(lookaheadStep).")
        }
        let seed = try arguments.integer("seed", default: 0)
        guard seed >= 0 else { throw UsageError("--seed must be non-negative, found \(seed).") }
        self.seed = UInt64(seed)
        retraining = try RetrainingOptions(arguments)
    }

    /// An integer option of at least `minimum`, or nil when absent.
    private static func count(
        _ arguments: CommandArguments, _ name: String, minimum: Int, meaning: String
    ) throws -> Int? {
        guard arguments.value(name) != nil else { return nil }
        let value = try arguments.integer(name, default: 0)
        guard value >= minimum else {
            throw UsageError("--\(name) expects a number of \(meaning), at least \(minimum); found \(value).")
        }
        return value
    }

    /// A real option that only means something with another one.
    private static func real(
        _ arguments: CommandArguments, _ name: String, default value: Double, applies: Bool
    ) throws -> Double {
        guard arguments.value(name) != nil else { return value }
        guard applies else {
            let needs = name == "alpha" ? "--lds M" : "--baselines"
            throw UsageError("--\(name) applies only with \(needs), which is not given.")
        }
        return try arguments.real(name, default: value)
    }
}
