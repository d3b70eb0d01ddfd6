import Foundation
import Shared

/// `mtif report`: one self-contained HTML page from a score run directory.
enum ReportCommand {
    static let command = Subcommand(
        name: "report",
        summary: "Write a score run's HTML report: task heatmaps, score histograms, top examples",
        help: """
            Usage: mtif report <run directory> [--out FILE.html]

            Reads the run directory that `mtif score --out DIR` wrote and writes one HTML file
            with inline SVG and CSS (no script, nothing fetched):
              - the run: dataset, model, P, solver, damping, residual, timings, sign convention;
              - the K × K task matrix as a heatmap (rows train task l, columns query task k;
                red: l harms k, blue: l helps k), beside evaluation/loto.json and
                evaluation/baselines/*.json when the directory holds them;
              - histograms of the instance scores for every (train task, query task) pair;
              - the most harmful and most helpful training examples per query task;
              - predicted against actual effects from evaluation/loo.csv and evaluation/lds.csv;
              - data-selection results from selection/*.json.
            Sections whose files are absent say which command writes them. The formats of the
            evaluation files are in docs/file-formats.md.

            Options:
              --out FILE.html             where to write (default: <run directory>/report.html)

            Example:
              mtif report runs/yeast/score --out runs/yeast/report.html
            """,
        valueOptions: ["out"],
        flagOptions: [],
        run: { arguments in try run(arguments) })

    static func run(_ arguments: CommandArguments) throws {
        guard arguments.positional.count == 1 else {
            throw UsageError("report expects one run directory, found \(arguments.positional.count) arguments.")
        }
        let directory = arguments.positional[0]
        let out = arguments.value("out") ?? (directory as NSString).appendingPathComponent("report.html")
        guard !out.isEmpty else { throw UsageError("Option --out needs a file name.") }

        let run = try ScoreRun(directory: directory)
        let evaluation = try EvaluationInputs(directory: directory, taskNames: run.taskNames)
        let page = ReportPage(run: run, evaluation: evaluation)

        let html = page.html
        try DataFile.write(Array(html.utf8), to: out)
        if !arguments.isSet("quiet") {
            print("Wrote \(out) (\(html.utf8.count / 1024) KiB)")
        }
    }
}
