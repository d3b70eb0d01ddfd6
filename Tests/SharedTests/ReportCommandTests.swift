import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif report end to end: one self-contained page from a score run, evaluation files, exit codes",
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct ReportCommandTests {
    static let dataset = "synthetic:K=3,n=40,d=4"

    /// A score run of a small trained network, shared by the tests of this suite; read only.
    static let runDirectory: String = {
        let directory = FixtureFiles.temporaryPath("-report-run")
        _ = try? BuiltExecutable.run([
            "train", dataset, "--model", "hard:4tanh", "--l2", "0.01", "--out", directory + "/model.json", "--quiet",
        ])
        _ = try? BuiltExecutable.run([
            "score", dataset, "--checkpoint", directory + "/model.json", "--out", directory + "/score", "--workers",
            "0", "--top", "4", "--quiet",
        ])
        return directory + "/score"
    }()

    /// The run's task names, from its manifest.
    static func taskNames() throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: runDirectory + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let dataset = try #require(manifest["dataset"] as? [String: Any])
        return try #require(dataset["tasks"] as? [String])
    }

    /// A private copy of the shared run, for tests that add or break files.
    static func copyOfRun() throws -> String {
        let copy = FixtureFiles.temporaryPath("-report-copy")
        try FileManager.default.copyItem(atPath: runDirectory, toPath: copy)
        return copy
    }

    /// Runs `mtif report` on `directory`, writing into it; returns the result and the page.
    static func report(_ directory: String) throws -> (status: Int32, error: String, html: String) {
        let out = directory + "/page.html"
        let run = try BuiltExecutable.run(["report", directory, "--out", out, "--quiet"])
        let html = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (run.status, run.error, html)
    }

    /// The HTML of `<section id="name">` up to its end.
    static func section(_ name: String, of html: String) throws -> Substring {
        let start = try #require(html.range(of: "<section id=\"\(name)\">"), "no section \(name)")
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        return html[start.lowerBound..<end.upperBound]
    }

    static func occurrences(of needle: String, in text: some StringProtocol) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("A score run becomes one self-contained page: charts, every task name, K × K cells, all top examples")
    func scoreRunReports() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let (status, error, html) = try Self.report(directory)
        #expect(status == 0, "\(error)")

        for name in ["relatedness", "distributions"] {
            #expect(try Self.section(name, of: html).contains("<svg"), "section \(name) has no chart")
        }
        let tasks = try Self.taskNames()
        #expect(tasks.count == 3)
        for task in tasks {
            #expect(html.contains(">\(task)<"), "task \(task) is not named")
        }
        #expect(Self.occurrences(of: "class=\"heat-cell\"", in: html) == tasks.count * tasks.count)
        let topRows =
            try String(contentsOfFile: directory + "/top-examples.csv", encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(topRows == tasks.count * 2 * 4)
        #expect(Self.occurrences(of: "class=\"top-row\"", in: html) == topRows)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(try Self.section("predicted-actual", of: html).contains("mtif evaluate"))
        #expect(try Self.section("selection", of: html).contains("selection/*.json"))
    }

    @Test("Without --out the page is written into the run directory")
    func defaultOutputIsInsideTheRun() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let run = try BuiltExecutable.run(["report", directory])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains(directory + "/report.html"))
        #expect(FileManager.default.fileExists(atPath: directory + "/report.html"))
    }

    @Test("Evaluation and selection files add their heatmaps, scatter plots and selection table")
    func evaluationFilesAreDrawn() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let tasks = try Self.taskNames()
        try EvaluationFixtures.write(into: directory, tasks: tasks)

        let (status, error, html) = try Self.report(directory)
        #expect(status == 0, "\(error)")
        #expect(Self.occurrences(of: "class=\"heat-cell\"", in: html) == 3 * tasks.count * tasks.count)
        let relatedness = try Self.section("relatedness", of: html)
        #expect(relatedness.contains("gradient cosine") && relatedness.contains("Spearman"))
        #expect(!relatedness.contains("No leave-one-task-out"))
        let predictions = try Self.section("predicted-actual", of: html)
        #expect(Self.occurrences(of: "<svg", in: predictions) == 2)
        #expect(predictions.contains("Pearson r = 1.000"))
        let selection = try Self.section("selection", of: html)
        #expect(selection.contains("<svg") && selection.contains("mean relative improvement"))
    }

    @Test("Beyond 3000 leave-one-out pairs the scatter plot bins them instead of drawing a point for each")
    func manyPairsAreBinned() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let tasks = try Self.taskNames()
        let rows = (0..<4000).map { index in
            let value = 1e-4 * Double(index % 97 - 48)
            return "\(value),\(value * 0.9),\(tasks[index % tasks.count]),\(tasks[(index / 3) % tasks.count])"
        }
        try FileManager.default.createDirectory(atPath: directory + "/evaluation", withIntermediateDirectories: true)
        try EvaluationFixtures.text(
            (["predicted,actual,train_task,query_task"] + rows).joined(separator: "\n") + "\n",
            to: directory + "/evaluation/loo.csv")

        let (status, error, html) = try Self.report(directory)
        #expect(status == 0, "\(error)")
        let predictions = try Self.section("predicted-actual", of: html)
        #expect(predictions.contains("4000 pairs binned"))
        // Only the two circles of the key (within-task, between-task) remain.
        #expect(Self.occurrences(of: "<circle", in: predictions) == 2)
        #expect(Self.occurrences(of: "<rect", in: predictions) <= 50 * 50 + 1)
    }

    @Test("A directory that is not a run exits 65 and names manifest.json")
    func directoryWithoutManifestIsRefused() throws {
        let directory = FixtureFiles.temporaryPath("-not-a-run")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { FixtureFiles.remove(directory) }
        let (status, error, _) = try Self.report(directory)
        #expect(status == 65)
        #expect(error.contains(directory + "/manifest.json"), "\(error)")
    }

    @Test("A manifest of another format exits 65 and says what was found")
    func manifestOfAnotherFormatIsRefused() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        try Data(#"{"format": "mtif-checkpoint", "version": 1}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        let (status, error, _) = try Self.report(directory)
        #expect(status == 65)
        #expect(error.contains("manifest.json") && error.contains("\"mtif-checkpoint\""), "\(error)")
    }

    @Test("An unreadable scores.npy exits 65 and names it")
    func unreadableScoresAreRefused() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        try Data("not an array".utf8).write(to: URL(fileURLWithPath: directory + "/scores.npy"))
        let (status, error, _) = try Self.report(directory)
        #expect(status == 65)
        #expect(error.contains("scores.npy"), "\(error)")
    }

    @Test("Scores with fewer rows than train-examples.csv exit 65 with both counts")
    func mismatchedScoresAreRefused() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let scores = try NPYFormat.read(path: directory + "/scores.npy")
        let shorter = NDArray(
            shape: [scores.shape[0] - 1, scores.shape[1]], elements: Array(scores.elements.dropLast(scores.shape[1])))
        try NPYFormat.write(shorter, to: directory + "/scores.npy")
        let (status, error, _) = try Self.report(directory)
        #expect(status == 65)
        #expect(error.contains("train-examples.csv") && error.contains("(\(scores.shape[0] - 1))"), "\(error)")
    }

    @Test("An evaluation file naming a task the run does not have exits 65 and names the file and line")
    func unknownTaskInEvaluationIsRefused() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        try FileManager.default.createDirectory(atPath: directory + "/evaluation", withIntermediateDirectories: true)
        try Data("predicted,actual,train_task,query_task\n0.1,0.1,nosuchtask,nosuchtask\n".utf8)
            .write(to: URL(fileURLWithPath: directory + "/evaluation/loo.csv"))
        let (status, error, _) = try Self.report(directory)
        #expect(status == 65)
        #expect(error.contains("evaluation/loo.csv, line 2") && error.contains("'nosuchtask'"), "\(error)")
    }

    @Test("Bad invocations exit 64", arguments: [[], ["a", "b"]])
    func badInvocationsAreRefused(_ arguments: [String]) throws {
        let run = try BuiltExecutable.run(["report"] + arguments)
        #expect(run.status == 64)
        #expect(run.error.contains("run directory"), "\(run.error)")
    }
}
