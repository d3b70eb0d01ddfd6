import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif select end to end: selection files that mtif report reads, removed examples, refusals",
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct SelectCommandTests {
    static let dataset = "synthetic:K=3,n=60,d=8,shared=0.9,noise=0.3,conflicting=1,seed=2"

    /// A score run of a linear model, shared by the tests; each test selects into its own copy.
    static let runDirectory: String = {
        let directory = FixtureFiles.temporaryPath("-select-run")
        _ = try? BuiltExecutable.run([
            "train", dataset, "--model", "linear", "--l2", "1", "--out", directory + "/model.json", "--quiet",
        ])
        _ = try? BuiltExecutable.run([
            "score", dataset, "--checkpoint", directory + "/model.json", "--out", directory + "/score", "--workers",
            "0", "--quiet",
        ])
        return directory + "/score"
    }()

    static func copyOfRun() throws -> String {
        let copy = FixtureFiles.temporaryPath("-select-copy")
        try FileManager.default.copyItem(atPath: runDirectory, toPath: copy)
        return copy
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The fields of one column of a CSV file.
    static func column(_ table: CSVTable, _ name: String) throws -> [String] {
        let index = try table.columnIndex(name)
        return table.records.map { $0[index] }
    }

    static func numbers(_ value: Any?) throws -> [Double] {
        try #require(value as? [Any]).map { try #require(($0 as? NSNumber)?.doubleValue) }
    }

    /// Σ (x − x̄)² / (n − 1), written out again here.
    static func sampleStandardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// Random-removal aggregates are means and standard deviations of a few losses of order 1.
    static let tolerance = 1e-12

    @Test("A selection for one task writes the report's format; the report draws it")
    func selectionForOneTask() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let run = try BuiltExecutable.run([
            "select", directory, "--target", "task0", "--fractions", "harmful,10", "--random-seeds", "3", "--name", "t",
            "--drop-tasks", "task2",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("MTIF top 10%") && run.output.contains("random 10%"))

        let document = try Self.json(directory + "/selection/t.json")
        #expect(document["targetTask"] as? String == "task0")
        #expect(document["split"] as? String == "test")
        #expect(document["tasks"] as? [String] == ["task0", "task1", "task2"])
        let strategies = try #require(document["strategies"] as? [[String: Any]])
        #expect(
            strategies.map { $0["kind"] as? String } == [
                "full-data", "mtif", "random", "mtif", "random", "task-level", "task-level",
            ])
        #expect(strategies[0]["name"] as? String == "full data" && strategies[0]["removedExamples"] as? Int == 0)
        let dropped = strategies[6]
        #expect(dropped["name"] as? String == "drop tasks: task2" && dropped["removedExamples"] as? Int == 36)
        #expect((dropped["removedShareByTrainTask"] as? [String: Double])?["task2"] == 1)
        for random in [strategies[2], strategies[4]] {
            let seeds = try #require(random["perSeed"] as? [[String: Any]])
            #expect(seeds.count == 3)
            let perSeed = try seeds.map { try Self.numbers($0["loss"]) }
            let (loss, spread) = (try Self.numbers(random["loss"]), try Self.numbers(random["lossStd"]))
            for task in 0..<3 {
                let values = perSeed.map { $0[task] }
                #expect(abs(loss[task] - values.reduce(0, +) / 3) < Self.tolerance)
                #expect(abs(spread[task] - Self.sampleStandardDeviation(values)) < Self.tolerance)
            }
        }
        try Self.checkRemovedExamples(directory: directory, strategies: strategies)

        let page = directory + "/page.html"
        let report = try BuiltExecutable.run(["report", directory, "--out", page, "--quiet"])
        #expect(report.status == 0, "\(report.error)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("Selection for query task task0") && html.contains("MTIF harmful"))
    }

    /// Every row of the CSV is an example of another task whose harm is its score in
    /// `scores.npy` for `val:task0`, found through `train-examples.csv`; the harmful rule's rows
    /// are exactly the positive ones, and each rule lists as many rows as it removed.
    static func checkRemovedExamples(directory: String, strategies: [[String: Any]]) throws {
        let scores = try NPYFormat.read(path: directory + "/scores.npy")
        let rows = try CSVReader.read(path: directory + "/train-examples.csv")
        let (tasks, positions) = (try column(rows, "train_task"), try column(rows, "example"))
        let rowOf = Dictionary(uniqueKeysWithValues: tasks.indices.map { ("\(tasks[$0]):\(positions[$0])", $0) })
        let columns = scores.shape[1]

        let removed = try CSVReader.read(path: directory + "/selection/t-removed.csv")
        let (names, removedTasks, examples, harms) = (
            try column(removed, "strategy"), try column(removed, "train_task"), try column(removed, "example"),
            try column(removed, "harm")
        )
        for index in names.indices {
            let row = try #require(rowOf["\(removedTasks[index]):\(examples[index])"])
            #expect(removedTasks[index] != "0")
            #expect(Double(harms[index]) == scores.elements[row * columns + 0])
        }
        let harmfulRows = names.indices.filter { names[$0] == "MTIF harmful" }
        let positive = tasks.indices.filter { tasks[$0] != "0" && scores.elements[$0 * columns] > 0 }
        #expect(harmfulRows.count == positive.count && !positive.isEmpty)
        for strategy in strategies where strategy["kind"] as? String == "mtif" {
            let name = try #require(strategy["name"] as? String)
            #expect(names.filter { $0 == name }.count == strategy["removedExamples"] as? Int)
        }
    }

    @Test("A selection for every task omits the target task and the report accepts it")
    func selectionForEveryTask() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let run = try BuiltExecutable.run([
            "select", directory, "--target", "all", "--fractions", "20", "--random-seeds", "1", "--quiet",
        ])
        #expect(run.status == 0, "\(run.error)")
        let document = try Self.json(directory + "/selection/all.json")
        #expect(document["targetTask"] == nil)
        let strategies = try #require(document["strategies"] as? [[String: Any]])
        #expect(strategies[1]["removedExamples"] as? Int == 22)  // round(20% of 3 tasks × 36 training examples)
        let report = try BuiltExecutable.run(["report", directory, "--out", directory + "/page.html", "--quiet"])
        #expect(report.status == 0, "\(report.error)")
    }

    @Test("Another checkpoint, other data, an unknown task and impossible options are refused with their reasons")
    func refusals() throws {
        let directory = try Self.copyOfRun()
        defer { FixtureFiles.remove(directory) }
        let other = directory + "/other.json"
        let train = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "linear", "--l2", "2", "--out", other, "--quiet",
        ])
        #expect(train.status == 0, "\(train.error)")
        let cases: [([String], Int32, String)] = [
            (["--checkpoint", other], 64, "model fingerprint"),
            (["--dataset", Self.dataset + " --seed 1"], 64, "scored fingerprint"),
            (["--target", "task7"], 64, "--target expects a task of the run"),
            (["--target", "all", "--from", "other"], 64, "needs one target task"),
            (["--fractions", "harmful,0"], 64, "percentages in (0, 100]"),
            (["--name", "../x"], 64, "--name"),
        ]
        for (extra, status, message) in cases {
            let arguments = ["select", directory, "--target", "task0", "--quiet"] + extra
            let run = try BuiltExecutable.run(arguments)
            #expect(run.status == status, "\(extra): \(run.error)")
            #expect(run.error.contains(message), "\(extra): \(run.error)")
        }
        let missing = try BuiltExecutable.run(["select", directory + "/nothing", "--target", "task0"])
        #expect(missing.status == 65 && missing.error.contains("run directory"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/selection"))
    }

    @Test("A CSV dataset in a path with a space and a quote is loaded again from the manifest's description")
    func quotedDescriptionReloads() throws {
        let directory = FixtureFiles.temporaryPath(" sel dir")
        defer { FixtureFiles.remove(directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let csv = directory + "/it's data.csv"
        var generator = SeededGenerator(seed: 12)
        var lines = ["group,y,a,b,c"]
        for row in 0..<120 {
            let x = (0..<3).map { _ in generator.nextNormal() }
            let sign: Double = row % 3 == 2 ? -1 : 1
            lines.append(
                "g\(row % 3),\(sign * (x[0] + 0.5 * x[1]) + 0.3 * generator.nextNormal()),\(x[0]),\(x[1]),\(x[2])")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: csv))
        let options = ["--task-column", "group", "--target-column", "y"]
        let model = directory + "/model.json"
        let train = try BuiltExecutable.run(
            ["train", csv] + options + ["--model", "linear", "--l2", "1", "--out", model])
        #expect(train.status == 0, "\(train.error)")
        let score = try BuiltExecutable.run(
            ["score", csv] + options + ["--checkpoint", model, "--out", directory + "/score", "--workers", "0"])
        #expect(score.status == 0, "\(score.error)")
        let select = try BuiltExecutable.run([
            "select", directory + "/score", "--target", "0", "--random-seeds", "1", "--quiet",
        ])
        #expect(select.status == 0, "\(select.error)")
        #expect(FileManager.default.fileExists(atPath: directory + "/score/selection/g0-other.json"))
    }
}
