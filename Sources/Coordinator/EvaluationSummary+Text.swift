import Foundation
import Shared

extension EvaluationSummary {
    /// The summary as the plain-text tables `mtif evaluate` prints.
    var text: String {
        var sections: [String] = []
        if let part = leaveOneOut {
            let rows =
                [
                    ("pooled", part.pooled), ("within-task (l = k)", part.withinTask),
                    ("between-task (l ≠ k)", part.betweenTask),
                ] + part.perQueryTask.map { ("query \($0.name)", $0.correlation) }
            sections.append(
                "Leave-one-out, MTIF against retraining (evaluation/loo.csv)\n"
                    + Self.table(header: ["", "pairs", "Pearson r", "Spearman ρ"], rows: rows.map(Self.cells)))
        }
        if let part = linearDatamodeling {
            let rows =
                [["LDS (mean over queries)", "", Self.number(part.score)]]
                + part.perQuery.map { [$0.name, "\($0.correlation.pairs)", Self.number($0.correlation.spearman)] }
            sections.append(
                "Linear datamodeling, \(part.subsets) subsets (evaluation/lds.csv)\n"
                    + Self.table(header: ["", "subsets", "Spearman ρ"], rows: rows))
        }
        if let part = taskRelatedness {
            let rows = part.methods.map { entry in
                [
                    entry.method + (entry.positiveMeans == "helps" ? " (turned: > 0 helps)" : ""),
                    entry.spearmanWithLeaveOneTaskOut.map(Self.number) ?? "–",
                    entry.spearmanWithTaskMatrix.map(Self.number) ?? "–",
                ]
            }
            sections.append(
                "Task relatedness, Spearman ρ over the \(part.betweenTaskPairs) between-task pairs\n"
                    + Self.table(header: ["", "with leave-one-task-out", "with the task matrix"], rows: rows))
        }
        if sections.isEmpty { return "No evaluation files in \(run)/evaluation yet." }
        return sections.joined(separator: "\n\n") + "\n\nSign: " + sign + "."
    }

    private static func cells(_ row: (String, Correlation)) -> [String] {
        [row.0, "\(row.1.pairs)", number(row.1.pearson), number(row.1.spearman)]
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3f", value) : "n/a"
    }

    /// Left-aligned first column, right-aligned others, two spaces apart.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            .joined(separator: "  ")
        }
        .joined(separator: "\n")
    }
}
