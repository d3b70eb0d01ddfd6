import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif evaluate end to end: score, evaluate, report; ground truth files; resume; refusals",
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct EvaluateCommandTests {
    static let dataset = "synthetic:K=3,n=60,d=8,shared=0.9,noise=0.3,conflicting=1,seed=2"
    static let tasks = ["task0", "task1", "task2"]

    /// A score run of a linear model, shared by the tests; each test evaluates its own copy.
    static let runDirectory: String = {
        let directory = FixtureFiles.temporaryPath("-evaluate-run")
        _ = try? BuiltExecutable.run([
            "train", dataset, "--model", "linear", "--l2", "1", "--out", directory + "/model.json", "--quiet",
        ])
        _ = try? BuiltExecutable.run([
            "score", dataset, "--checkpoint", directory + "/model.json", "--out", directory + "/score", "--workers",
            "0", "--quiet",
        ])
        return directory + "/score"
    }()

    /// The finished retrainings in a journal directory.
    static func journalled(_ journal: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".result") }.count
    }

    static func copyOfRun() throws -> String {
        let copy = FixtureFiles.temporaryPath("-evaluate-copy")
        try FileManager.default.copyItem(atPath: runDirectory, toPath: copy)
        return copy
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func column(_ table: CSVTable, _ name: String) throws -> [String] {
        let index = try table.columnIndex(name)
        return table.records.map { $0[index] }
    }

    static func numbers(_ table: CSVTable, _ name: String) throws -> [Double] {
        try column(table, name).map { try #require(Double($0)) }
    }

    static func array(_ directory: String, _ kind: String, _ name: String) throws -> NDArray {
        try NPYFormat.read(path: "\(directory)/evaluation/ground-truth/\(kind)/\(name)")
    }

    /// Every number in these files is computed once and copied, or differs only by the order of
    /// a sum of a few dozen scores.
    static let tolerance = 1e-14

    @Test("Every file is in its documented format and agrees with scores.npy; mtif report draws them")
    func evaluateThenReport() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let run = try BuiltExecutable.run([
            "evaluate", directory, "--loo", "10", "--loo-examples", "task2:5,1:0", "--loto", "--lds", "6", "--alpha",
            "0.4", "--baselines", "--workers", "2",
        ])
        #expect(run.status == 0, "\(run.error)")
        for title in ["Leave-one-out", "Linear datamodeling, 6 subsets", "Task relatedness", "gradient cosine"] {
            #expect(run.output.contains(title), "\(title)")
        }
        let scores = try NPYFormat.read(path: directory + "/scores.npy")
        let width = scores.shape[1]
        try Self.checkLeaveOneOut(directory, scores: scores)
        try Self.checkSubsets(directory, scores: scores)
        try Self.checkLeaveOneTaskOut(directory)

        let summary = try Self.json(directory + "/evaluation/summary.json")
        let loo = try CSVReader.read(path: directory + "/evaluation/loo.csv")
        let pooled = try #require((summary["leaveOneOut"] as? [String: Any])?["pooled"] as? [String: Any])
        let pearson = Statistics.pearson(try Self.numbers(loo, "predicted"), try Self.numbers(loo, "actual"))
        #expect(abs(try #require(pooled["pearson"] as? Double) - pearson) <= Self.tolerance)
        #expect(pearson > 0.99, "linear squared loss: MTIF is nearly exact")
        let methods = try #require((summary["taskRelatedness"] as? [String: Any])?["methods"] as? [[String: Any]])
        #expect(methods.count == 4 && width == 3)
        let configuration = try Self.json(directory + "/evaluation/config.json")
        #expect(configuration["command"] as? String == "evaluate")

        let page = directory + "/page.html"
        let report = try BuiltExecutable.run(["report", directory, "--out", page, "--quiet"])
        #expect(report.status == 0, "\(report.error)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for part in [
            "Leave-one-task-out (retrained)", "Each point removes one training example", "LDS, the mean over 3 queries",
            "lookahead task affinity", "gradient cosine",
        ] {
            #expect(html.contains(part), "\(part)")
        }
        #expect(!html.contains("No leave-one-task-out matrix") && !html.contains("No linear datamodeling results"))
    }

    /// loo.csv: predicted is the scores.npy entry of its row and query, actual is before − after
    /// of the ground truth, and the ground truth's rows are the CSV's examples.
    static func checkLeaveOneOut(_ directory: String, scores: NDArray) throws {
        let width = scores.shape[1]
        let table = try CSVReader.read(path: directory + "/evaluation/loo.csv")
        let (rows, queries) = (try column(table, "row").compactMap(Int.init), try column(table, "query_task"))
        let (predicted, actual) = (try numbers(table, "predicted"), try numbers(table, "actual"))
        let before = try array(directory, "loo", "losses-before.npy").elements
        let after = try array(directory, "loo", "losses-after.npy")
        let removed = try array(directory, "loo", "removed.npy").elements.map { Int($0) }
        let mask = try array(directory, "loo", "removed-mask.npy")
        #expect(removed.count >= 10 && removed.count <= 12 && table.rowCount == 3 * removed.count)
        #expect(removed.contains(2 * 36 + 5) && removed.contains(36 + 0))
        #expect(mask.shape == [removed.count, 108] && mask.elements.reduce(0, +) == Double(removed.count))
        for line in 0..<table.rowCount {
            let (retraining, task) = (line / 3, try #require(tasks.firstIndex(of: queries[line])))
            #expect(rows[line] == removed[retraining] && mask.elements[retraining * 108 + rows[line]] == 1)
            #expect(predicted[line] == scores.elements[rows[line] * width + task])
            #expect(abs(actual[line] - (before[task] - after.elements[retraining * 3 + task])) <= tolerance)
        }
        #expect(try column(table, "chosen_by").filter { $0 == "listed" }.count == 6)
    }

    /// lds.csv: predicted is the sum of the scores of the rows in removed.npy; kept and removed
    /// split the rows; every task keeps ⌊0.4·36 + ½⌋ = 14.
    static func checkSubsets(_ directory: String, scores: NDArray) throws {
        let width = scores.shape[1]
        let (kept, removed) = (try array(directory, "lds", "kept.npy"), try array(directory, "lds", "removed.npy"))
        #expect(kept.shape == [6, 42] && removed.shape == [6, 66])
        let table = try CSVReader.read(path: directory + "/evaluation/lds.csv")
        let (subsets, predicted) = (try column(table, "subset").compactMap(Int.init), try numbers(table, "predicted"))
        let queries = try column(table, "query_task")
        for subset in 0..<6 {
            let keptRows = kept.elements[(subset * 42)..<((subset + 1) * 42)].map { Int($0) }
            let removedRows = removed.elements[(subset * 66)..<((subset + 1) * 66)].map { Int($0) }
            #expect(Set(keptRows + removedRows) == Set(0..<108))
            #expect((0..<3).allSatisfy { task in keptRows.filter { $0 / 36 == task }.count == 14 })
            for line in 0..<table.rowCount where subsets[line] == subset {
                let task = try #require(tasks.firstIndex(of: queries[line]))
                let sum = removedRows.reduce(0) { $0 + scores.elements[$1 * width + task] }
                #expect(abs(predicted[line] - sum) <= tolerance)
            }
        }
    }

    /// loto.json: values[l][k] = before[k] − after[l][k], diagonal included.
    static func checkLeaveOneTaskOut(_ directory: String) throws {
        let document = try json(directory + "/evaluation/loto.json")
        #expect(document["positiveMeans"] as? String == "harms" && document["trainTasks"] as? [String] == tasks)
        let values = try #require(document["values"] as? [[Double]])
        let before = try array(directory, "loto", "losses-before.npy").elements
        let after = try array(directory, "loto", "losses-after.npy").elements
        #expect(try array(directory, "loto", "removed-tasks.npy").elements == [0, 1, 2])
        for l in 0..<3 {
            for k in 0..<3 { #expect(abs(values[l][k] - (before[k] - after[l * 3 + k])) <= tolerance) }
        }
        let cosine = try json(directory + "/evaluation/baselines/cosine.json")
        #expect(cosine["positiveMeans"] as? String == "helps" && cosine["method"] as? String == "gradient cosine")
    }

    @Test("A rerun finds every retraining in the journal and writes the same files; more subsets add only theirs")
    func rerunResumesFromTheJournal() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let journal = directory + "/evaluation/retrainings"
        let first = try BuiltExecutable.run(["evaluate", directory, "--lds", "4", "--quiet"])
        #expect(first.status == 0, "\(first.error)")
        let written = try String(contentsOfFile: directory + "/evaluation/lds.csv", encoding: .utf8)
        #expect(try Self.journalled(journal) == 4)

        try FileManager.default.removeItem(atPath: directory + "/evaluation/lds.csv")
        let again = try BuiltExecutable.run(["evaluate", directory, "--lds", "4", "--verbose"])
        #expect(again.status == 0 && again.error.contains("retrainings.done=4"), "\(again.error)")
        #expect(!again.error.contains("workers finished"), "nothing is retrained again")
        #expect(try String(contentsOfFile: directory + "/evaluation/lds.csv", encoding: .utf8) == written)

        let more = try BuiltExecutable.run(["evaluate", directory, "--lds", "6"])
        #expect(more.status == 0 && more.error.contains("retrainings.done=4"), "\(more.error)")
        #expect(try Self.journalled(journal) == 6)
        let lines = try String(contentsOfFile: directory + "/evaluation/lds.csv", encoding: .utf8).split(
            separator: "\n")
        #expect(Array(lines.prefix(13)) == written.split(separator: "\n"))
    }

    @Test("An evaluation killed with SIGKILL keeps its finished retrainings; the rerun writes the same files")
    func killedEvaluationResumes() throws {
        let (reference, killed) = (try Self.copyOfRun(), try Self.copyOfRun())
        defer { [reference, killed].forEach(FixtureFiles.remove) }
        let options = ["--lds", "120", "--quiet"]
        #expect(try BuiltExecutable.run(["evaluate", reference] + options).status == 0)

        let journal = killed + "/evaluation/retrainings"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(BuiltExecutable.mtif))
        process.arguments = ["evaluate", killed] + options
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        let finished = {
            (try? FileManager.default.contentsOfDirectory(atPath: journal))?.filter { $0.hasSuffix(".result") }
        }
        while process.isRunning, Date() < deadline, (finished()?.count ?? 0) < 5 {
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = try #require(finished()).filter { !$0.hasPrefix(".") }.count
        #expect(kept >= 5 && kept < 120, "the kill must land mid-run")
        #expect(!FileManager.default.fileExists(atPath: killed + "/evaluation/lds.csv"))

        let rerun = try BuiltExecutable.run(["evaluate", killed, "--lds", "120"])
        #expect(rerun.status == 0 && rerun.error.contains("retrainings.done=\(kept)"), "\(rerun.error)")
        for name in ["lds.csv", "ground-truth/lds/losses-after.npy", "ground-truth/lds/kept.npy"] {
            let (expected, resumed) = (
                try Data(contentsOf: URL(fileURLWithPath: "\(reference)/evaluation/\(name)")),
                try Data(contentsOf: URL(fileURLWithPath: "\(killed)/evaluation/\(name)"))
            )
            #expect(resumed == expected, "\(name)")
        }
    }

    @Test("Impossible options are refused with exit status 64 and a message naming what was expected")
    func refusals() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let cases: [([String], String)] = [
            (["--loo", "0"], "--loo expects a number of examples, at least 1"),
            (["--loo", "500"], "more examples than the run's 108"),
            (["--loo", "x"], "--loo"),
            (["--lds", "1"], "--lds expects a number of subsets"),
            (["--lds", "5", "--alpha", "1"], "--alpha is the fraction"),
            (["--loto", "--alpha", "0.3"], "--alpha applies only with --lds M"),
            (["--loto", "--lookahead-step", "0.1"], "--lookahead-step applies only with --baselines"),
            (["--baselines", "--lookahead-step", "-1"], "--lookahead-step must be a positive step size"),
            (["--loo-examples", "task9:0"], "names task 'task9'"),
            (["--loo-examples", "task0:36"], "which has 36 training examples"),
            (["--loo-examples", "task0"], "TASK:POSITION"),
            (["--loto", "--worker-data", "copy"], "--worker-data expects send or load"),
            (["--loto", "--seed", "-2"], "--seed must be non-negative"),
            (["--loto", "--tolerance", "2"], "--tolerance must be in (0, 1)"),
            (["--loto", "extra"], "evaluate expects one run directory"),
        ]
        for (extra, message) in cases {
            let run = try BuiltExecutable.run(["evaluate", directory, "--quiet"] + extra)
            #expect(run.status == 64, "\(extra): \(run.error)")
            #expect(run.error.contains(message), "\(extra): \(run.error)")
        }
        let missing = try BuiltExecutable.run(["evaluate", directory + "/nothing", "--loto"])
        #expect(missing.status == 65 && missing.error.contains("run directory"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/evaluation"))
    }
}
