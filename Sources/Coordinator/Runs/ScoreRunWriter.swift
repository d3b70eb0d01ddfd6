import Foundation
import Shared

/// Writes the outputs of one scoring run into a run directory (see docs/file-formats.md).
///
/// Every table names its axes: rows of `scores.npy` are described by `train-examples.csv`,
/// columns by `queries.csv`. Files are written to a temporary name and renamed, so a reader
/// never sees a half-written file and an interrupted run never corrupts a finished one.
struct ScoreRunWriter {
    let directory: URL
    let dataset: MultitaskDataset
    let result: InfluenceResult

    /// Creates the directory if needed.
    ///
    /// - Throws: `RunStoreError` when the directory cannot be created.
    init(directory: URL, dataset: MultitaskDataset, result: InfluenceResult) throws {
        self.directory = directory
        self.dataset = dataset
        self.result = result
        try RunFiles.createDirectory(directory)
    }

    var taskNames: [String] { dataset.tasks.map(\.name) }

    /// Above this many scores `scores.csv` is not written: as text it would be about 20 bytes a
    /// score, gigabytes for example-level queries on a full dataset; `scores.npy` holds them all.
    static let largestCSV = 1_000_000

    var writesScoresCSV: Bool { result.scores.values.elements.count <= Self.largestCSV }

    /// Writes scores (.npy and .csv), the axis tables, the task matrix and the top examples.
    ///
    /// - Parameter includingMatrix: false when `scores.npy` is already in place (a distributed
    ///   run streams it as shards arrive).
    func writeTables(topCount: Int, includingMatrix: Bool = true) throws {
        if includingMatrix {
            try RunFiles.writeAtomically(directory.appendingPathComponent("scores.npy")) { path in
                try NPYFormat.write(result.scores.values, to: path)
            }
        }
        try write("train-examples.csv", trainExamplesTable())
        try write("queries.csv", queriesTable())
        if writesScoresCSV {
            try write("scores.csv", scoresTable())
        }
        try write("task-matrix.csv", taskMatrixTable())
        try RunFiles.writeJSON(
            TaskMatrixFile(taskNames: taskNames, relatedness: result.taskRelatedness),
            to: directory.appendingPathComponent("task-matrix.json"))
        try write("top-examples.csv", topExamplesTable(count: topCount))
    }

    func write(_ name: String, _ text: String) throws {
        try RunFiles.writeAtomically(directory.appendingPathComponent(name)) { path in
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    // MARK: - Tables

    /// One row per training example: its row in `scores.npy`, train task, position, source id.
    func trainExamplesTable() -> String {
        var lines = ["row,train_task,train_task_name,example,source_id"]
        for row in 0..<result.scores.values.rows {
            let example = result.scores.example(atRow: row)
            lines.append(
                "\(row),\(example.task),\(CSVText.field(taskNames[example.task])),\(example.example),\(sourceID(example))"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per query: its column in `scores.npy`, kind, query task and validation example.
    func queriesTable() -> String {
        var lines = ["column,label,kind,query_task,query_task_name,validation_example,source_id"]
        for (column, query) in result.scores.queries.enumerated() {
            let label = CSVText.field(query.label(taskNames: taskNames))
            let name = CSVText.field(taskNames[query.task])
            switch query {
            case .taskValidationLoss(let task):
                lines.append("\(column),\(label),task-validation-loss,\(task),\(name),,")
            case .validationExample(let task, let example):
                let source = dataset.validation.sourceIDs[dataset.validation.tasks[task].rows[example]]
                lines.append("\(column),\(label),validation-example,\(task),\(name),\(example),\(source)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The scores with both axes labelled, for spreadsheets; `scores.npy` holds the same values.
    func scoresTable() -> String {
        let labels = result.scores.queries.map { CSVText.field($0.label(taskNames: taskNames)) }
        var lines = ["train_task_name,example,source_id," + labels.joined(separator: ",")]
        for row in 0..<result.scores.values.rows {
            let example = result.scores.example(atRow: row)
            let values = result.scores.values.row(row).map(CSVText.number)
            lines.append(
                "\(CSVText.field(taskNames[example.task])),\(example.example),\(sourceID(example)),"
                    + values.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The K × K task matrix: rows train tasks l, columns query tasks k.
    func taskMatrixTable() -> String {
        var lines = ["train_task \\ query_task," + taskNames.map(CSVText.field).joined(separator: ",")]
        for (task, name) in taskNames.enumerated() {
            let values = result.taskRelatedness.values.row(task).map(CSVText.number)
            lines.append(CSVText.field(name) + "," + values.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The most harmful and most helpful training examples for every task-level query.
    func topExamplesTable(count: Int) -> String {
        var lines = ["query_task_name,direction,rank,train_task_name,example,source_id,score,kind"]
        for (column, query) in result.scores.queries.enumerated() {
            guard case .taskValidationLoss(let queryTask) = query else { continue }
            for harmful in [true, false] {
                for (rank, entry) in result.scores.extremeExamples(query: column, count: count, harmful: harmful)
                    .enumerated()
                {
                    let kind = InfluenceKind(trainTask: entry.example.task, queryTask: queryTask).rawValue
                    lines.append(
                        "\(CSVText.field(taskNames[queryTask])),\(harmful ? "harmful" : "helpful"),\(rank + 1),"
                            + "\(CSVText.field(taskNames[entry.example.task])),\(entry.example.example),"
                            + "\(sourceID(entry.example)),\(CSVText.number(entry.score)),\(kind)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func sourceID(_ example: TrainExample) -> Int {
        dataset.train.sourceIDs[dataset.train.tasks[example.task].rows[example.example]]
    }
}

/// `task-matrix.json`: the K × K task-level MTIF with named axes.
struct TaskMatrixFile: Encodable {
    var rows = "train task l (removed)"
    var columns = "query task k (loss measured)"
    var sign = "> 0: removing train task l lowers query task k's validation loss (l harms k); < 0: l helps k"
    var trainTasks: [String]
    var queryTasks: [String]
    var values: [[Double]]

    init(taskNames: [String], relatedness: TaskRelatedness) {
        trainTasks = taskNames
        queryTasks = taskNames
        values = (0..<taskNames.count).map { relatedness.values.row($0) }
    }
}

/// Formatting of CSV fields written by mtif.
enum CSVText {
    /// A field, quoted when it holds a comma, quote or line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number with enough digits to round-trip a Double.
    static func number(_ value: Double) -> String {
        "\(value)"
    }
}
