import Shared

/// `--tolerance` and `--max-iterations` of the commands that retrain (`mtif evaluate`,
/// `mtif select`): how far each warm-started retraining goes before it counts as converged.
struct RetrainingOptions {
    static let valueOptions: Set<String> = ["tolerance", "max-iterations"]
    static let help = """
          --tolerance T         relative gradient tolerance of the retraining (default:
                                the checkpoint's)
          --max-iterations N    cap on each retraining's Newton or L-BFGS iterations
                                (default: the checkpoint's); a converged retraining does
                                not depend on it, so raising it keeps finished ones
        """

    /// `--tolerance`, nil for the checkpoint's.
    var tolerance: Double?
    /// `--max-iterations`, nil for the checkpoint's.
    var maximumIterations: Int?

    /// - Throws: `UsageError` naming the option, what it accepts and what it was given.
    init(_ arguments: CommandArguments) throws {
        tolerance = try arguments.value("tolerance").map { _ in
            let value = try arguments.real("tolerance", default: 0)
            guard value > 0, value < 1 else { throw UsageError("--tolerance must be in (0, 1), found \(value).") }
            return value
        }
        maximumIterations = try arguments.value("max-iterations").map { _ in
            let value = try arguments.integer("max-iterations", default: 0)
            guard value >= 1 else { throw UsageError("--max-iterations must be at least 1, found \(value).") }
            return value
        }
    }

    /// The warm-start trainer of the checkpoint's optimiser with these overrides.
    func trainer(like settings: TrainerSettings?) -> MultitaskTrainer {
        MultitaskTrainer.retraining(
            like: settings, relativeTolerance: tolerance, maximumIterations: maximumIterations)
    }
}
