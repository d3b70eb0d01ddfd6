import Foundation
import Shared

/// The page `mtif report` writes: one HTML file with inline CSS and SVG, no script, and nothing
/// fetched, so it opens the same anywhere, offline, and can be mailed or archived as it is.
///
/// Sections: the run's provenance and the sign convention; task relatedness (MTIF heatmap and,
/// when present, leave-one-task-out and baseline heatmaps); instance score distributions; the
/// most helpful and harmful training examples; predicted against actual retraining effects; and
/// data selection. A section whose inputs are absent says which files and command provide them.
struct ReportPage {
    let run: ScoreRun
    let evaluation: EvaluationInputs

    /// The complete document.
    var html: String {
        let title = "mtif report: \(run.manifest.dataset.name), \(run.manifest.model.architecture.specification)"
        let sections = [
            header, relatednessSection, distributionSection, topExamplesSection, predictionSection, selectionSection,
        ]
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escaped(title))</title>
            <style>\(Self.styleSheet)</style>
            </head>
            <body>
            \(sections.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    // MARK: - Header

    /// Dataset, model, solve and timings, and the sign convention in one sentence.
    var header: String {
        let manifest = run.manifest
        let solve = manifest.solve
        let queries =
            "\(run.queriedTasks.count) task validation losses"
            + (run.exampleQueryCount > 0 ? " and \(run.exampleQueryCount) validation examples" : "")
        let facts: [(String, String)] = [
            ("Dataset", "\(manifest.dataset.description) (\(manifest.dataset.layout))"),
            ("Tasks K", "\(run.taskNames.count): \(ReportFiles.listed(run.taskNames))"),
            ("Training examples N", "\(run.trainExampleCount)"),
            ("Queries", queries),
            ("Model", "\(manifest.model.architecture.specification), P = \(manifest.model.parameterCount)"),
            ("Checkpoint", manifest.model.checkpoint),
            ("Solver", "\(solve.method.rawValue), \(solve.curvature.rawValue), damping δ = \(number(solve.damping))"),
            ("Residual", "max ‖(H + δI)q − v‖/‖v‖ = \(String(format: "%.2e", solve.maximumRelativeResidual))"),
            ("Removal", manifest.configuration.convention.rawValue),
            ("Timings", timings),
            (
                "Fingerprints",
                "data \(manifest.dataset.fingerprint.prefix(12)), model \(manifest.model.fingerprint.prefix(12))"
            ),
            ("Written", "\(manifest.createdAt) by \(manifest.createdBy)"),
        ]
        let rows = facts.map { "<dt>\(HTML.escaped($0.0))</dt><dd>\(HTML.escaped($0.1))</dd>" }
        return """
            <header>
            <h1>MTIF report: \(HTML.escaped(manifest.dataset.name))</h1>
            <p class="sign"><strong>Sign convention.</strong> Every score is the predicted change of a query's \
            validation loss when training data is removed: a score &gt; 0 means the data <span class="harm">harms</span> \
            the query (removing it lowers the loss, drawn red), &lt; 0 that it <span class="help">helps</span> (blue).</p>
            <dl class="facts">\(rows.joined())</dl>
            </header>
            """
    }

    /// Seconds per stage in the order the stages run.
    private var timings: String {
        let order = ["load", "prepare", "query-gradients", "solve", "score", "write"]
        let stages = run.manifest.timings.keys.sorted {
            (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1)
        }
        return stages.map { "\($0) \(String(format: "%.2f", run.manifest.timings[$0] ?? 0)) s" }
            .joined(separator: " · ")
    }

    func number(_ value: Double) -> String {
        String(format: "%g", value)
    }

    // MARK: - Style

    static let styleSheet = """
        body { font-family: sans-serif; color: #222; margin: 20px auto; max-width: 1480px; padding: 0 16px; }
        h1 { font-size: 22px; margin: 0 0 8px; }
        h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 34px; }
        h3 { font-size: 14px; margin: 12px 0 4px; }
        .sign { background: #f5f5f5; border-left: 4px solid #777; padding: 8px 12px; max-width: 1000px; }
        .facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 3px 14px;
          font-size: 13px; }
        .facts dt { font-weight: bold; color: #555; }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .charts { display: flex; flex-wrap: wrap; gap: 24px 36px; align-items: flex-start; }
        .wide { overflow-x: auto; margin-top: 12px; }
        figure { margin: 0; }
        figcaption { font-size: 12px; color: #555; max-width: 640px; margin-top: 4px; }
        svg { max-width: 100%; height: auto; }
        .note { background: #fffbea; border: 1px solid #e9d98a; padding: 8px 12px; max-width: 1000px;
          font-size: 13px; }
        table { border-collapse: collapse; font-size: 12px; }
        th, td { padding: 2px 6px; border-bottom: 1px solid #e6e6e6; text-align: left; white-space: nowrap; }
        th { background: #f3f3f3; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .harm { color: #b2282b; }
        .help { color: #2166b4; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 14px; }
        .card { border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; }
        .card .pair { display: flex; gap: 12px; }
        .card .pair > div { flex: 1; }
        code { background: #f3f3f3; padding: 0 3px; }
        """
}

/// Small HTML building blocks for the report.
enum HTML {
    static func escaped(_ text: String) -> String {
        SVGCanvas.escaped(text)
    }

    /// A table; cells are HTML, so callers escape text. Columns in `numeric` are right-aligned.
    static func table(
        header: [String], rows: [[String]], numeric: Set<Int> = [], rowClass: String? = nil
    ) -> String {
        let head = header.map { "<th>\(escaped($0))</th>" }.joined()
        let classAttribute = rowClass.map { " class=\"\($0)\"" } ?? ""
        let body = rows.map { cells in
            "<tr\(classAttribute)>"
                + cells.enumerated().map { column, cell in
                    numeric.contains(column) ? "<td class=\"number\">\(cell)</td>" : "<td>\(cell)</td>"
                }.joined() + "</tr>"
        }
        return "<table><thead><tr>\(head)</tr></thead><tbody>\(body.joined())</tbody></table>"
    }

    /// A boxed note, for sections whose inputs are absent; `text` is HTML.
    static func note(_ text: String) -> String {
        "<p class=\"note\">\(text)</p>"
    }

    /// A chart with its caption (HTML).
    static func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(caption)</figcaption></figure>"
    }

    /// A score signed and coloured by what it means under the MTIF sign convention.
    static func score(_ value: Double) -> String {
        let text = String(format: "%+.3e", value).replacingOccurrences(of: "-", with: "−")
        guard value != 0, value.isFinite else { return text }
        return "<span class=\"\(value > 0 ? "harm" : "help")\">\(text)</span>"
    }
}
