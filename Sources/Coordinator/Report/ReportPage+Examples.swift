import Foundation
import Shared

extension ReportPage {
    /// Above this many query tasks the histograms pool the query tasks of each train task into
    /// within-task and between-task, keeping the page to 2K histograms instead of K².
    static let largestHistogramGrid = 32

    /// The grid of histograms of instance scores, one per (train task, query task) pair.
    var distributionSection: String {
        let body: String
        if run.queriedTasks.isEmpty {
            body = HTML.note(
                "This run has no task-level queries (queries.csv lists none of kind task-validation-loss), "
                    + "so there are no per-task distributions to draw.")
        } else {
            let isPooled = run.queriedTasks.count > Self.largestHistogramGrid
            let (scores, columns) =
                isPooled ? pooledScores : (run.taskQueryScores, run.queriedTasks.map { run.taskNames[$0] })
            let svg = ReportCharts.distributionGrid(scores: scores, rowNames: run.taskNames, columnNames: columns)
            let layout =
                isPooled
                ? "Row l: the scores of train task l's training examples for its own task's validation loss "
                    + "(within-task) and for the other \(run.queriedTasks.count - 1) query tasks pooled (between-task; "
                    + "more than \(Self.largestHistogramGrid) query tasks would need a histogram per pair). "
                : "Row l, column k: the scores of train task l's training examples for query task k's validation "
                    + "loss (scores.npy); outlined: within-task (l = k). "
            body = HTML.figure(
                svg,
                caption: layout + "Blue bars: scores &lt; 0 (the examples help); red: &gt; 0 (they harm); the centre "
                    + "line is zero. Each column shares a horizontal scale, ± its 97.5th percentile of |score| "
                    + "(printed below it); darker edge bars count the scores beyond. Bar heights are √count, "
                    + "relative within each histogram. Hover a histogram for its count, mean, sum and range.")
        }
        return """
            <section id="distributions">
            <h2>Distribution of instance scores</h2>
            \(body)
            </section>
            """
    }

    /// Each train task's scores split into its own task's query and all other queries.
    private var pooledScores: ([[[Double]]], [String]) {
        let scores = run.taskQueryScores.enumerated().map { task, byQuery in
            let own = byQuery.indices.filter { run.queriedTasks[$0] == task }
            return [
                own.flatMap { byQuery[$0] },
                byQuery.indices.filter { !own.contains($0) }.flatMap { byQuery[$0] },
            ]
        }
        return (scores, ["within-task", "between-task"])
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
