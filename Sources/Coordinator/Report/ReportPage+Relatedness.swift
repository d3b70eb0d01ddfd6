import Foundation
import Shared

extension ReportPage {
    /// The K × K heatmaps side by side in one task order, and how well they agree.
    var relatednessSection: String {
        var figures = [
            heatmap(
                "MTIF (predicted)", run.taskMatrix, positiveMeans: .harms,
                caption: "The task-level MTIF of this run (task-matrix.json).")
        ]
        if let loto = evaluation.leaveOneTaskOut {
            figures.append(
                heatmap(
                    "Leave-one-task-out (retrained)", loto, positiveMeans: .harms,
                    caption: "Actual change of query task k's validation loss when train task l is removed and the "
                        + "model retrained (evaluation/loto.json)."))
        }
        for baseline in evaluation.baselines {
            let document = baseline.document
            figures.append(
                heatmap(
                    document.method ?? baseline.file, baseline.values, positiveMeans: document.positiveMeans ?? .harms,
                    caption: (document.description ?? "") + " (evaluation/baselines/\(baseline.file))"))
        }
        return """
            <section id="relatedness">
            <h2>Task relatedness</h2>
            <p>Rows are the train task l that is removed, columns the query task k whose validation loss is \
            measured. Red means l harms k, blue that l helps k, whatever sign a method uses for it (each legend gives \
            the values). Colours saturate at the largest between-task |value|, so transfer stays visible beside the \
            larger within-task entries (outlined, l = k). Hover a cell for its exact value.</p>
            <div class="charts">\(figures.joined())</div>
            \(agreementTable)\(relatednessNotes)
            </section>
            """
    }

    private func heatmap(_ title: String, _ values: [[Double]], positiveMeans: Effect, caption: String) -> String {
        let specification = HeatmapSpecification(
            title: title, values: values, rowNames: run.taskNames, columnNames: run.taskNames,
            positiveMeans: positiveMeans)
        let sign = positiveMeans == .harms ? "&gt; 0: l harms k." : "&gt; 0: l helps k."
        return HTML.figure(ReportCharts.heatmap(specification), caption: HTML.escaped(caption) + " " + sign)
    }

    /// Spearman's ρ between the methods over the between-task pairs (l ≠ k), every matrix turned
    /// so that larger means "harms" first.
    private var agreementTable: String {
        var others: [(String, [Double])] = evaluation.baselines.map {
            ($0.document.method ?? $0.file, Self.harmOrdered($0.values, $0.document.positiveMeans ?? .harms))
        }
        if let loto = evaluation.leaveOneTaskOut {
            others.insert(("Leave-one-task-out", Self.harmOrdered(loto, .harms)), at: 0)
        }
        guard !others.isEmpty else { return "" }
        let mtif = Self.harmOrdered(run.taskMatrix, .harms)
        let loto = evaluation.leaveOneTaskOut.map { Self.harmOrdered($0, .harms) }
        let rows = others.enumerated().map { index, entry in
            let withLOTO = loto.map { index == 0 ? "—" : ReportCharts.correlation(entry.1, $0, Statistics.spearman) }
            return [HTML.escaped(entry.0), ReportCharts.correlation(entry.1, mtif, Statistics.spearman)]
                + (withLOTO.map { [$0] } ?? [])
        }
        return "<h3>Agreement over the \(mtif.count) between-task pairs (Spearman ρ)</h3>"
            + HTML.table(
                header: ["method", "with MTIF"] + (loto == nil ? [] : ["with leave-one-task-out"]), rows: rows,
                numeric: [1, 2])
    }

    /// The off-diagonal entries row by row, negated when positive values mean "helps".
    static func harmOrdered(_ values: [[Double]], _ positiveMeans: Effect) -> [Double] {
        values.enumerated().flatMap { row, entries in
            entries.enumerated().compactMap { column, value in
                column == row ? nil : (positiveMeans == .harms ? value : -value)
            }
        }
    }

    /// What to run for the matrices that are absent.
    private var relatednessNotes: String {
        var notes: [String] = []
        if evaluation.leaveOneTaskOut == nil {
            notes.append(
                "No leave-one-task-out matrix (<code>evaluation/loto.json</code>) in this run directory: "
                    + "<code>mtif evaluate</code> retrains without each task and writes it.")
        }
        if evaluation.baselines.isEmpty {
            notes.append(
                "No baseline matrices (<code>evaluation/baselines/*.json</code>, such as gradient cosine similarity "
                    + "and lookahead task affinity): <code>mtif evaluate</code> writes them.")
        }
        guard !notes.isEmpty else { return "" }
        return HTML.note(notes.joined(separator: "<br>") + " Their format is in docs/file-formats.md.")
    }
}
