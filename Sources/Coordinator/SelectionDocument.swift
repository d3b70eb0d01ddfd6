import Foundation
import Shared

/// `selection/NAME.json`, in the format `mtif report` reads (docs/file-formats.md, "selection/
/// NAME.json"), plus provenance and per-seed fields that the report ignores.
struct SelectionDocument: Encodable {
    /// One strategy: the fields the report reads, then the extra ones.
    struct Strategy: Encodable {
        var name: String
        var removedExamples: Int
        /// Per task; the mean over seeds for random removal.
        var loss: [Double]
        var accuracy: [Double]
        var kind: String
        /// The MTIF rule, or the rule whose count a random draw matches.
        var rule: String?
        /// Random removal: the sample standard deviations over seeds and every seed's values.
        var lossStd: [Double]?
        var accuracyStd: [Double]?
        var perSeed: [Seed]?
        /// Task-level removal: the tasks dropped.
        var removedTasks: [String]?
        /// Train task name → share of the removed examples from it (mean over seeds).
        var removedShareByTrainTask: [String: Double]
        /// Warm-started retraining: iterations and final relative gradient norm per run.
        var retrainingIterations: [Int]?
        var retrainingRelativeGradientNorms: [Double]?
    }

    struct Seed: Encodable {
        var seed: UInt64
        var loss: [Double]
        var accuracy: [Double]
    }

    struct Provenance: Encodable {
        var run: String
        var dataset: String
        var datasetFingerprint: String
        var checkpoint: String
        var modelFingerprint: String
        var candidates: String
        var rules: [String]
        var randomSeeds: [UInt64]
        var removal: String
        var retraining: String
        var relativeGradientTolerance: Double
        var createdBy: String
        var createdAt: String
    }

    var targetTask: String?
    var description: String
    var split: String
    var tasks: [String]
    var strategies: [Strategy]
    var provenance: Provenance

    init(
        experiment: SelectionExperiment, outcomes: [StrategyOutcome], target: SelectionTarget, split: Split,
        provenance: Provenance
    ) {
        let names = experiment.objective.dataset.tasks.map(\.name)
        if case .task(let k) = target { targetTask = names[k] }
        description = Self.describe(
            target: target, names: names, provenance: provenance,
            dropsNamedTasks: experiment.strategies.filter { $0.kind == .taskLevel }.count > 1)
        self.split = split.rawValue
        tasks = names
        strategies = outcomes.map { outcome in
            Self.strategy(outcome, shares: experiment.removalShares(outcome.strategy), names: names)
        }
        self.provenance = provenance
    }

    private static func strategy(_ outcome: StrategyOutcome, shares: [Double], names: [String]) -> Strategy {
        let strategy = outcome.strategy
        let isRandom = strategy.kind == .random
        let retrained = outcome.trainingReports.compactMap { $0 }
        return Strategy(
            name: strategy.name, removedExamples: strategy.removedCount, loss: outcome.meanLoss,
            accuracy: outcome.meanAccuracy, kind: strategy.kind.rawValue, rule: strategy.rule?.label,
            lossStd: isRandom ? outcome.lossStandardDeviation : nil,
            accuracyStd: isRandom ? outcome.accuracyStandardDeviation : nil,
            perSeed: isRandom
                ? zip(strategy.seeds, outcome.runs).map { seed, metrics in
                    Seed(seed: seed, loss: metrics.map(\.loss), accuracy: metrics.map(\.accuracy))
                } : nil,
            removedTasks: strategy.kind == .taskLevel ? strategy.removedTasks.map { names[$0] } : nil,
            removedShareByTrainTask: Dictionary(uniqueKeysWithValues: zip(names, shares)),
            retrainingIterations: retrained.isEmpty ? nil : retrained.map(\.iterations),
            retrainingRelativeGradientNorms: retrained.isEmpty ? nil : retrained.map(\.relativeGradientNorm))
    }

    private static func describe(
        target: SelectionTarget, names: [String], provenance: Provenance, dropsNamedTasks: Bool
    ) -> String {
        let harm: String
        switch target {
        case .task(let k): harm = "MTIF score for the validation loss of \(names[k]) (> 0: harmful)"
        case .allTasks: harm = "sum of the MTIF scores for every task's validation loss (> 0: harmful)"
        }
        let candidates = provenance.candidates == "other" ? "the other tasks" : "all tasks"
        return "Removed training examples by the \(harm), from \(candidates), then retrained from ŵ "
            + "(\(provenance.retraining)). Random removal draws as many examples from the same candidates "
            + "(\(provenance.randomSeeds.count) seeds; loss is the mean over seeds). 'Drop harmful tasks' drops the "
            + "tasks whose task-matrix entry is > 0"
            + (dropsNamedTasks ? "; 'drop tasks' the tasks named with --drop-tasks." : ".")
    }

    /// `selection/NAME-removed.csv`: every example an MTIF strategy removed, one row each.
    ///
    /// Columns `strategy,train_task,train_task_name,example,source_id,harm`: `example` is the
    /// position among the train task's training examples, `source_id` the row in the source
    /// file, `harm` the example's MTIF harm for the target (its score, or the sum of its scores
    /// over every task).
    static func removedExamplesTable(
        experiment: SelectionExperiment, selector: ExampleSelector, dataset: MultitaskDataset
    ) -> String {
        let harm = Dictionary(uniqueKeysWithValues: selector.candidates.map { ($0.example, $0.harm) })
        var lines = ["strategy,train_task,train_task_name,example,source_id,harm"]
        for strategy in experiment.strategies where strategy.kind == .mtif {
            for example in strategy.removals[0] {
                let source = dataset.train.sourceIDs[dataset.train.tasks[example.task].rows[example.example]]
                let fields = [
                    CSVText.field(strategy.name), "\(example.task)", CSVText.field(dataset.tasks[example.task].name),
                    "\(example.example)", "\(source)", CSVText.number(harm[example]!),
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
