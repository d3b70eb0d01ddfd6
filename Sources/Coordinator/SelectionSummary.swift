import Foundation
import Shared

/// The table `mtif select` prints: one row per strategy.
enum SelectionSummary {
    /// Columns: strategy, examples removed, the target's test loss (mean ± standard deviation
    /// over seeds for random removal) and accuracy, the relative change of that loss against the
    /// full-data model, and the train tasks the removed examples came from (largest shares
    /// first). For every task, loss and accuracy are the means over tasks and the change is
    /// the mean of the tasks' relative changes.
    static func text(
        outcomes: [StrategyOutcome], experiment: SelectionExperiment, target: SelectionTarget, files: [String]
    ) -> String {
        let names = experiment.objective.dataset.tasks.map(\.name)
        let reference = outcomes[0].meanLoss
        let header = [
            "strategy", "removed", target == .allTasks ? "mean test loss" : "test loss", "accuracy", "change",
            "removed from",
        ]
        let rows = outcomes.map { outcome in
            [
                outcome.strategy.name, "\(outcome.strategy.removedCount)", loss(outcome, target: target),
                accuracy(outcome, target: target),
                String(format: "%+.2f%%", change(outcome.meanLoss, reference: reference, target: target)),
                sources(experiment.removalShares(outcome.strategy), names: names),
            ]
        }
        let title: String
        switch target {
        case .task(let k): title = "Test split, target \(names[k]); change of its loss against the full data."
        case .allTasks: title = "Test split, every task; mean relative change of the task losses against the full data."
        }
        return ([title, ""] + table(header: header, rows: rows) + [""] + files.map { "wrote \($0)" })
            .joined(separator: "\n")
    }

    /// 100 (L − L_full) / L_full for the target, or its mean over tasks.
    static func change(_ loss: [Double], reference: [Double], target: SelectionTarget) -> Double {
        let changes = zip(loss, reference).map { 100 * ($0 - $1) / $1 }
        guard case .task(let k) = target else { return Statistics.mean(changes) }
        return changes[k]
    }

    private static func loss(_ outcome: StrategyOutcome, target: SelectionTarget) -> String {
        guard case .task(let k) = target else { return String(format: "%.4f", Statistics.mean(outcome.meanLoss)) }
        let mean = String(format: "%.4f", outcome.meanLoss[k])
        guard outcome.runs.count > 1 else { return mean }
        return mean + String(format: " ± %.4f", outcome.lossStandardDeviation[k])
    }

    private static func accuracy(_ outcome: StrategyOutcome, target: SelectionTarget) -> String {
        let value: Double
        switch target {
        case .task(let k): value = outcome.meanAccuracy[k]
        case .allTasks: value = Statistics.mean(outcome.meanAccuracy.filter(\.isFinite))
        }
        guard value.isFinite else { return "-" }
        guard case .task(let k) = target, outcome.runs.count > 1 else { return String(format: "%.3f", value) }
        return String(format: "%.3f ± %.3f", value, outcome.accuracyStandardDeviation[k])
    }

    /// Up to three train tasks by share, such as `task3 85%, task1 10%, …`.
    private static func sources(_ shares: [Double], names: [String]) -> String {
        let ranked = shares.indices.filter { shares[$0] > 0 }.sorted { shares[$0] > shares[$1] }
        guard !ranked.isEmpty else { return "-" }
        let shown = ranked.prefix(3).map { "\(names[$0]) \(String(format: "%.0f", 100 * shares[$0]))%" }
        return shown.joined(separator: ", ") + (ranked.count > 3 ? ", …" : "")
    }

    private static func table(header: [String], rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        return ([header] + rows).map { row in
            row.indices.map { column in
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == row.count - 1 ? cell + padding : padding + cell
            }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
