import Foundation
import Shared

extension ReportPage {
    /// Predicted against actual effects of removals: leave-one-out and linear datamodeling.
    var predictionSection: String {
        var figures: [String] = []
        var notes: [String] = []
        if let pairs = evaluation.leaveOneOut {
            figures.append(leaveOneOutFigure(pairs))
        } else {
            notes.append(
                "No leave-one-out retraining results (<code>evaluation/loo.csv</code>) in this run directory: "
                    + "<code>mtif evaluate</code> retrains without single examples and writes them.")
        }
        if let pairs = evaluation.linearDatamodeling {
            figures.append(linearDatamodelingFigure(pairs))
        } else {
            notes.append(
                "No linear datamodeling results (<code>evaluation/lds.csv</code>): <code>mtif evaluate</code> "
                    + "retrains on random subsets and writes them.")
        }
        let noteHTML =
            notes.isEmpty ? "" : HTML.note(notes.joined(separator: "<br>") + " Formats: docs/file-formats.md.")
        return """
            <section id="predicted-actual">
            <h2>Predicted against actual</h2>
            \(figures.isEmpty ? "" : "<div class=\"charts\">\(figures.joined())</div>")\(noteHTML)
            </section>
            """
    }

    private func leaveOneOutFigure(_ pairs: PredictionPairs) -> String {
        let trainTasks = pairs.trainTasks ?? pairs.queryTasks
        let within = pairs.predicted.indices.filter { trainTasks[$0] == pairs.queryTasks[$0] }
        let between = pairs.predicted.indices.filter { trainTasks[$0] != pairs.queryTasks[$0] }
        let series = [("within-task (l = k)", "#6a3d9a", within), ("between-task (l ≠ k)", "#e08214", between)]
            .filter { !$0.2.isEmpty }
            .map { name, color, rows in
                ScatterSeries(
                    name: name, color: color, predicted: rows.map { pairs.predicted[$0] },
                    actual: rows.map { pairs.actual[$0] })
            }
        let svg = ReportCharts.scatter(
            series: series, title: "Leave-one-out", xLabel: "predicted change (MTIF)",
            yLabel: "actual change (retrained)")
        let table = HTML.table(
            header: ["query task", "pairs", "Pearson r"],
            rows: groupedCorrelations(pairs, key: { run.taskNames[pairs.queryTasks[$0]] }, Statistics.pearson),
            numeric: [1, 2])
        return HTML.figure(
            svg,
            caption: "Each point removes one training example and retrains (evaluation/loo.csv). Pooled: "
                + "Pearson r = \(ReportCharts.correlation(pairs.predicted, pairs.actual, Statistics.pearson)), "
                + "Spearman ρ = \(ReportCharts.correlation(pairs.predicted, pairs.actual, Statistics.spearman)).")
            + table
    }

    private func linearDatamodelingFigure(_ pairs: PredictionPairs) -> String {
        let svg = ReportCharts.scatter(
            series: [
                ScatterSeries(name: "subset, query", color: "#1b9e77", predicted: pairs.predicted, actual: pairs.actual)
            ], title: "Linear datamodeling", xLabel: "predicted change (sum of MTIF)",
            yLabel: "actual change (retrained)")
        let perQuery = Dictionary(grouping: pairs.predicted.indices) { pairs.queries[$0] }
            .mapValues { rows in Statistics.spearman(rows.map { pairs.predicted[$0] }, rows.map { pairs.actual[$0] }) }
            .values.filter(\.isFinite)
        let score = perQuery.isEmpty ? "n/a" : String(format: "%.3f", Statistics.mean(Array(perQuery)))
        let table = HTML.table(
            header: ["query task", "pairs", "Spearman ρ over its pairs"],
            rows: groupedCorrelations(pairs, key: { run.taskNames[pairs.queryTasks[$0]] }, Statistics.spearman),
            numeric: [1, 2])
        return HTML.figure(
            svg,
            caption: "Each point retrains on a random subset and compares the loss change with the summed scores of "
                + "the removed examples (evaluation/lds.csv). LDS, the mean over \(perQuery.count) queries of "
                + "Spearman's ρ across subsets: \(score).")
            + table
    }

    /// One row per group of pairs, in the run's task order: name, count and correlation.
    private func groupedCorrelations(
        _ pairs: PredictionPairs, key: (Int) -> String, _ measure: ([Double], [Double]) -> Double
    ) -> [[String]] {
        let groups = Dictionary(grouping: pairs.predicted.indices, by: key)
        return run.taskNames.compactMap { name in
            guard let rows = groups[name] else { return nil }
            let correlation = ReportCharts.correlation(
                rows.map { pairs.predicted[$0] }, rows.map { pairs.actual[$0] }, measure)
            return [HTML.escaped(name), "\(rows.count)", correlation]
        }
    }

    // MARK: - Selection

    /// Held-out metrics after removing data, per selection experiment.
    var selectionSection: String {
        let body =
            evaluation.selections.isEmpty
            ? HTML.note(
                "No data-selection results (<code>selection/*.json</code>) in this run directory. They come from "
                    + "retraining without the examples that harm a task, beside full-data and random-removal "
                    + "models; the format is in docs/file-formats.md.")
            : evaluation.selections.map(selectionBlock).joined()
        return """
            <section id="selection">
            <h2>Data selection</h2>
            \(body)
            </section>
            """
    }

    private func selectionBlock(_ result: SelectionResult) -> String {
        let reference = result.strategies[0]
        let others = Array(result.strategies.dropFirst())
        let changes = others.map { strategy in
            zip(strategy.loss, reference.loss).map { loss, base in base == 0 ? .nan : 100 * (loss - base) / base }
        }
        let series = zip(others, changes).enumerated().map { index, entry in
            BarSeries(name: entry.0.name, color: Self.seriesColors[index % Self.seriesColors.count], values: entry.1)
        }
        let chart = ReportCharts.changeBars(
            categories: result.tasks, series: series, title: "Change of \(result.split) loss against \(reference.name)",
            valueLabel: "relative change of loss (%), left is better")
        let title = result.targetTask.map { "Selection for query task \($0)" } ?? "Selection for every task"
        let caption = "Bars left of zero: lower loss than \(HTML.escaped(reference.name))."
        return "<h3>\(HTML.escaped(title))</h3>"
            + "<p>\(HTML.escaped(result.description ?? "")) Metrics on the \(HTML.escaped(result.split)) split.</p>"
            + "<div class=\"charts\">\(HTML.figure(chart, caption: caption))</div>"
            + "<div class=\"wide\">\(selectionTable(result, changes: changes))</div>"
    }

    private func selectionTable(_ result: SelectionResult, changes: [[Double]]) -> String {
        let strategies = result.strategies
        let cell = { (strategy: SelectionResult.Strategy, task: Int) -> String in
            let accuracy = strategy.accuracy.map { $0[task] }.flatMap { $0.isFinite ? $0 : nil }
            return String(format: "%.4g", strategy.loss[task])
                + (accuracy.map { String(format: " (acc %.3f)", $0) } ?? "")
        }
        var rows = result.tasks.indices.map { task in
            [HTML.escaped(result.tasks[task])]
                + strategies.enumerated().map { index, strategy in
                    cell(strategy, task) + (index == 0 ? "" : String(format: " %+.1f%%", changes[index - 1][task]))
                }
        }
        rows.append(
            ["<strong>mean relative improvement</strong>", ""]
                + changes.map { values in
                    String(format: "%+.2f%%", -Statistics.mean(values.filter(\.isFinite)))
                })
        let header =
            ["task"] + strategies.map { $0.removedExamples > 0 ? "\($0.name) (−\($0.removedExamples))" : $0.name }
        return HTML.table(header: header, rows: rows, numeric: Set(1...strategies.count))
    }

    /// Eight colours that stay apart on screen and in print; a ninth series repeats the first.
    static let seriesColors = [
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    ]
}
