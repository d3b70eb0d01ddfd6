import Foundation
import Shared

extension ReportPage {
    /// The grid of histograms of instance scores, one per (train task, query task) pair.
    var distributionSection: String {
        let body: String
        if run.queriedTasks.isEmpty {
            body = HTML.note(
                "This run has no task-level queries (queries.csv lists none of kind task-validation-loss), "
                    + "so there are no per-task distributions to draw.")
        } else {
            let svg = ReportCharts.distributionGrid(
                scores: run.taskQueryScores, rowNames: run.taskNames,
                columnNames: run.queriedTasks.map { run.taskNames[$0] })
            body = HTML.figure(
                svg,
                caption: "Row l, column k: the scores of train task l's training examples for query task k's "
                    + "validation loss (scores.npy); outlined: within-task (l = k). Blue bars: scores &lt; 0 (the "
                    + "examples help); red: &gt; 0 (they harm); the centre line is zero. Each column shares a "
                    + "horizontal scale, ± its 97.5th percentile of |score| (printed below it); darker edge bars "
                    + "count the scores beyond. Bar heights are √count, relative within each histogram. Hover a "
                    + "histogram for its count, mean, sum and range.")
        }
        return """
            <section id="distributions">
            <h2>Distribution of instance scores</h2>
            \(body)
            </section>
            """
    }

    /// Tables of the most harmful and most helpful training examples for each query task.
    var topExamplesSection: String {
        let order = run.taskNames + run.topExamples.map(\.queryTask)
        var seen = Set<String>()
        let queryTasks = order.filter { seen.insert($0).inserted }
        let cards = queryTasks.compactMap { task -> String? in
            let entries = run.topExamples.filter { $0.queryTask == task }
            guard !entries.isEmpty else { return nil }
            return """
                <div class="card"><h3>query task \(HTML.escaped(task))</h3><div class="pair">\
                <div>\(examplesTable(entries.filter(\.isHarmful), heading: "Most harmful", style: "harm"))</div>\
                <div>\(examplesTable(entries.filter { !$0.isHarmful }, heading: "Most helpful", style: "help"))</div>\
                </div></div>
                """
        }
        let body =
            cards.isEmpty
            ? HTML.note("top-examples.csv lists no examples: run <code>mtif score</code> with <code>--top N</code>.")
            : "<div class=\"cards\">\(cards.joined())</div>"
        return """
            <section id="top-examples">
            <h2>Most harmful and most helpful training examples</h2>
            <p>For each query task, the training examples whose removal is predicted to lower its validation loss \
            most (harmful, score &gt; 0) and to raise it most (helpful, score &lt; 0), from top-examples.csv. \
            “example” is the position among its train task's training examples, “source” the row in the source \
            file; ⇄ marks an example of another train task than the query task (transfer between tasks).</p>
            \(body)
            </section>
            """
    }

    private func examplesTable(_ entries: [ScoreRun.TopExample], heading: String, style: String) -> String {
        let rows = entries.sorted { $0.rank < $1.rank }.map { entry in
            [
                "\(entry.rank)", HTML.escaped(entry.trainTask) + (entry.kind == "between-task" ? " ⇄" : ""),
                "\(entry.example)", "\(entry.sourceID)", HTML.score(entry.score),
            ]
        }
        return "<h3 class=\"\(style)\">\(heading)</h3>"
            + HTML.table(
                header: ["#", "train task", "example", "source", "score"], rows: rows, numeric: [0, 2, 3, 4],
                rowClass: "top-row")
    }
}
