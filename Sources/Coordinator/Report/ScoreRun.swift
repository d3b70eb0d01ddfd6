import Foundation
import Shared

/// A finished `mtif score` run directory, read back and checked for `mtif report`.
///
/// Only task-level queries are kept from `scores.npy`: the report's histograms need the column
/// of each task's validation loss, grouped by the train task of each row.
struct ScoreRun {
    /// One row of `top-examples.csv`.
    struct TopExample {
        var queryTask: String
        var isHarmful: Bool
        var rank: Int
        var trainTask: String
        var example: Int
        var sourceID: Int
        var score: Double
        var kind: String
    }

    let directory: String
    let manifest: ScoreManifest
    /// The K × K task matrix, rows train task l and columns query task k, in the run's task order.
    let taskMatrix: [[Double]]
    /// `scores[l][k]`: the scores of train task l's examples for the query of task k's
    /// validation loss; k runs over `queriedTasks`.
    let taskQueryScores: [[[Double]]]
    /// The tasks with a task-level query, in column order.
    let queriedTasks: [Int]
    /// Number of queries of single validation examples.
    let exampleQueryCount: Int
    let topExamples: [TopExample]

    var taskNames: [String] { manifest.dataset.tasks }
    var trainExampleCount: Int { manifest.dataset.trainCounts.reduce(0, +) }

    /// Reads the run directory at `directory`.
    ///
    /// - Throws: `DataError` (exit status 65) naming the file: `.fileNotFound` when the directory
    ///   or its `manifest.json` is missing; `.unsupportedFormat` for a manifest of another format
    ///   or kind; the errors of `NPYFormat.read(path:)` for `scores.npy`; `.shapeMismatch` when
    ///   `scores.npy`, `train-examples.csv`, `queries.csv` and the manifest disagree.
    init(directory: String) throws {
        self.directory = directory
        manifest = try Self.readManifest(directory: directory)
        let tasks = manifest.dataset.tasks
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        taskMatrix = try ReportFiles.decodeJSON(TaskMatrixDocument.self, path: path("task-matrix.json"))
            .values(orderedAs: tasks, path: path("task-matrix.json"))

        let scores = try Self.readScores(path: path("scores.npy"))
        let rowTasks = try Self.readRowTasks(path: path("train-examples.csv"), rows: scores.rows, manifest: manifest)
        let queries = try CSVReader.read(path: path("queries.csv"))
        let kinds = try ReportFiles.texts(queries, "kind")
        let queryTasks = try ReportFiles.integers(queries, "query_task")
        guard queries.rowCount == scores.columns, queryTasks.allSatisfy(tasks.indices.contains) else {
            throw DataError(
                .shapeMismatch, path: path("queries.csv"),
                "Expected one row per column of scores.npy (\(scores.columns)) with query_task in 0..<\(tasks.count), "
                    + "found \(queries.rowCount) rows.")
        }
        let taskColumns = kinds.indices.filter { kinds[$0] == "task-validation-loss" }
        queriedTasks = taskColumns.map { queryTasks[$0] }
        exampleQueryCount = scores.columns - taskColumns.count
        taskQueryScores = Self.group(scores, rowTasks: rowTasks, columns: taskColumns, taskCount: tasks.count)
        topExamples = try Self.readTopExamples(path: path("top-examples.csv"))
    }

    // MARK: - Reading steps

    static func readManifest(directory: String) throws -> ScoreManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw DataError(
                .fileNotFound, path: directory,
                "Expected a run directory written by `mtif score --out DIR`; there is no directory here.")
        }
        let path = (directory as NSString).appendingPathComponent("manifest.json")
        guard ReportFiles.exists(path) else {
            throw DataError(
                .fileNotFound, path: path,
                "Not a run directory: manifest.json is missing. Give the directory that `mtif score --out DIR` wrote.")
        }
        let header = try ReportFiles.decodeJSON(RunHeader.self, path: path)
        guard header.format == "mtif-run", header.kind == "score", header.version == 1 else {
            let version = header.version.map(String.init) ?? "none"
            throw DataError(
                .unsupportedFormat, path: path,
                "Expected format \"mtif-run\", kind \"score\", version 1 (a run of `mtif score`), found format "
                    + "\(quoted(header.format)), kind \(quoted(header.kind)), version \(version).")
        }
        return try ReportFiles.decodeJSON(ScoreManifest.self, path: path)
    }

    private static func quoted(_ text: String?) -> String {
        text.map { "\"\($0)\"" } ?? "none"
    }

    private static func readScores(path: String) throws -> Matrix {
        let array = try NPYFormat.read(path: path)
        guard array.shape.count == 2, let matrix = array.matrix else {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected a two-dimensional N × Q array of scores, found shape \(array.shape).")
        }
        return matrix
    }

    /// The train task of every row of the scores, checked against the manifest's train counts.
    private static func readRowTasks(path: String, rows: Int, manifest: ScoreManifest) throws -> [Int] {
        let table = try CSVReader.read(path: path)
        let tasks = try ReportFiles.integers(table, "train_task")
        let counts = manifest.dataset.tasks.indices.map { task in tasks.filter { $0 == task }.count }
        guard tasks.count == rows, counts == manifest.dataset.trainCounts else {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected one row per row of scores.npy (\(rows)) with the manifest's train counts "
                    + "\(manifest.dataset.trainCounts), found \(tasks.count) rows with counts \(counts).")
        }
        return tasks
    }

    /// Splits the task-query columns of `scores` by the train task of each row.
    private static func group(_ scores: Matrix, rowTasks: [Int], columns: [Int], taskCount: Int) -> [[[Double]]] {
        var grouped = [[[Double]]](repeating: columns.map { _ in [] }, count: taskCount)
        for (row, task) in rowTasks.enumerated() {
            for (position, column) in columns.enumerated() {
                grouped[task][position].append(scores[row, column])
            }
        }
        return grouped
    }

    private static func readTopExamples(path: String) throws -> [TopExample] {
        let table = try CSVReader.read(path: path)
        let (queries, directions, trainTasks, kinds) = (
            try ReportFiles.texts(table, "query_task_name"), try ReportFiles.texts(table, "direction"),
            try ReportFiles.texts(table, "train_task_name"), try ReportFiles.texts(table, "kind")
        )
        let (ranks, examples, sources) = (
            try ReportFiles.integers(table, "rank"), try ReportFiles.integers(table, "example"),
            try ReportFiles.integers(table, "source_id")
        )
        let scores = try ReportFiles.numbers(table, "score")
        return table.records.indices.map { row in
            TopExample(
                queryTask: queries[row], isHarmful: directions[row] == "harmful", rank: ranks[row],
                trainTask: trainTasks[row], example: examples[row], sourceID: sources[row], score: scores[row],
                kind: kinds[row])
        }
    }
}

/// The fields of `manifest.json` that say what kind of file it is, read before the rest.
private struct RunHeader: Decodable {
    var format: String?
    var kind: String?
    var version: Int?
}
