import Foundation
import Shared

/// What `mtif score` prints: the solve, the task matrix, the top examples, where files went.
enum ScoreSummary {
    static func text(result: InfluenceResult, dataset: MultitaskDataset, directory: String) -> String {
        let names = dataset.tasks.map(\.name)
        let solve = result.solve
        var lines = [
            "solve        \(solve.method.rawValue), \(solve.curvature.rawValue), damping \(solve.damping), "
                + "max relative residual \(String(format: "%.2e", solve.maximumRelativeResidual)), "
                + String(format: "%.3f s", solve.seconds),
            "scores       \(result.scores.values.rows) training examples × \(result.scores.queries.count) queries "
                + "(\(result.scores.convention.rawValue))",
            "",
            "Task matrix: effect on query task k (columns) of removing train task l (rows); > 0 harms, < 0 helps",
        ]
        lines += taskMatrixLines(result.taskRelatedness.values, names: names)
        lines += ["", "Most harmful and most helpful training examples per query task:"]
        for (column, query) in result.scores.queries.enumerated() {
            guard case .taskValidationLoss(let task) = query else { continue }
            let harmful = result.scores.extremeExamples(query: column, count: 3, harmful: true)
            let helpful = result.scores.extremeExamples(query: column, count: 3, harmful: false)
            lines.append("  \(names[task])")
            lines.append("    harms: " + harmful.map { describe($0, names) }.joined(separator: "  "))
            lines.append("    helps: " + helpful.map { describe($0, names) }.joined(separator: "  "))
        }
        lines += ["", "Wrote \(directory)/ (manifest.json, scores.npy, task-matrix.csv, top-examples.csv, …)"]
        return lines.joined(separator: "\n")
    }

    static func taskMatrixLines(_ values: Matrix, names: [String]) -> [String] {
        let width = max(10, (names.map(\.count).max() ?? 0) + 1)
        let header =
            "".padding(toLength: width, withPad: " ", startingAt: 0)
            + names.map { String($0.prefix(9)).leftPadded(to: 10) }.joined()
        return [header]
            + names.enumerated().map { row, name in
                name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + values.row(row).map { String(format: "%10.2e", $0) }.joined()
            }
    }

    static func describe(_ entry: (example: TrainExample, score: Double), _ names: [String]) -> String {
        "\(names[entry.example.task]):\(entry.example.example) (\(String(format: "%+.2e", entry.score)))"
    }

    /// Every score of one training example, for `--explain TASK:EXAMPLE`.
    static func explanation(of reference: String, dataset: MultitaskDataset, scores: InfluenceScores) throws -> String {
        let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw UsageError("--explain expects TASK:EXAMPLE, such as Class3:17; found '\(reference)'.")
        }
        let task = try TaskReference.resolve(parts[0], dataset: dataset, context: "--explain")
        guard let example = Int(parts[1]), example >= 0, example < scores.trainCounts[task] else {
            throw UsageError(
                "--explain: example must be 0–\(scores.trainCounts[task] - 1) for task \(dataset.tasks[task].name), found '\(parts[1])'."
            )
        }
        let names = dataset.tasks.map(\.name)
        let row = scores.row(of: TrainExample(task: task, example: example))
        var lines = ["Training example \(names[task]):\(example) (row \(row)); > 0 harms the query, < 0 helps it"]
        for (column, query) in scores.queries.enumerated() {
            let kind = InfluenceKind(trainTask: task, queryTask: query.task).rawValue
            lines.append(
                "  \(query.label(taskNames: names).padding(toLength: 24, withPad: " ", startingAt: 0)) "
                    + "\(String(format: "%+.6e", scores.values[row, column]))  \(kind)")
        }
        return lines.joined(separator: "\n")
    }

    static func outputDescriptions(hasSubsets: Bool, hasScoresCSV: Bool) -> [String: String] {
        var outputs = [
            "scores.npy": "float64 N × Q scores; rows in train-examples.csv, columns in queries.csv",
            "scores.csv": "the same scores with labelled rows and columns",
            "train-examples.csv": "row axis: train task, position within the task, source id",
            "queries.csv": "column axis: query kind, query task, validation example",
            "task-matrix.csv": "K × K task-level MTIF: rows train tasks l, columns query tasks k",
            "task-matrix.json": "the same matrix with named axes and the sign convention",
            "top-examples.csv": "most harmful and helpful training examples per task query",
            "manifest.json": "provenance, configuration, solve report and timings",
        ]
        if hasSubsets { outputs["subset-predictions.csv"] = "predicted effect of removing each subset" }
        if !hasScoresCSV { outputs["scores.csv"] = nil }
        return outputs
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
