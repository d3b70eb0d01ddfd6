import Foundation
import Shared

/// Pairs of a predicted and an actual effect of removing training data on a query task's loss.
struct PredictionPairs {
    var predicted: [Double]
    var actual: [Double]
    /// The train task of each removed example (leave-one-out), nil for subsets.
    var trainTasks: [Int]?
    var queryTasks: [Int]
    /// The query of each pair: the `query` column when the file has one, else the query task.
    var queries: [String]
}

/// One data-selection experiment, `selection/NAME.json`: per-task held-out metrics of models
/// retrained after several ways of removing training data, the first being the full-data
/// reference.
struct SelectionResult: Decodable {
    /// One way of choosing what to remove, and what the retrained model measured.
    struct Strategy: Decodable {
        var name: String
        var removedExamples: Int
        /// Mean loss per task of `tasks`: lower is better.
        var loss: [Double]
        /// Accuracy per task, for classification tasks ("nan" for the others).
        var accuracy: [Double]?
    }

    /// The task the selection serves, when it serves one.
    var targetTask: String?
    var description: String?
    /// The split the metrics are measured on; it took no part in scoring ("test").
    var split: String
    var tasks: [String]
    var strategies: [Strategy]
}

/// The optional inputs of the report that later commands write into a run directory: retraining
/// evaluations under `evaluation/` and selection experiments under `selection/`.
///
/// Each is read only when its file exists; a file that exists but does not parse is an error
/// naming it. The formats are in docs/file-formats.md, "Evaluation files read by mtif report".
struct EvaluationInputs {
    /// `evaluation/loto.json`: actual leave-one-task-out effects, shaped like task-matrix.json.
    var leaveOneTaskOut: [[Double]]?
    /// `evaluation/baselines/*.json` in file-name order, each with its title and sign.
    var baselines: [(document: TaskMatrixDocument, values: [[Double]], file: String)] = []
    /// `evaluation/loo.csv`.
    var leaveOneOut: PredictionPairs?
    /// `evaluation/lds.csv`.
    var linearDatamodeling: PredictionPairs?
    /// `selection/*.json` in file-name order, except `*.config.json`.
    var selections: [SelectionResult] = []

    /// Reads whichever of the files exist in `directory`.
    ///
    /// - Throws: `DataError` naming the file whose contents are malformed or disagree with the
    ///   run's tasks.
    init(directory: String, taskNames: [String]) throws {
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        if ReportFiles.exists(path("evaluation/loto.json")) {
            leaveOneTaskOut = try ReportFiles.decodeJSON(TaskMatrixDocument.self, path: path("evaluation/loto.json"))
                .values(orderedAs: taskNames, path: path("evaluation/loto.json"))
        }
        for name in ReportFiles.names(in: path("evaluation/baselines"), endingWith: ".json") {
            let file = path("evaluation/baselines/" + name)
            let document = try Self.readBaseline(path: file)
            baselines.append((document, try document.values(orderedAs: taskNames, path: file), name))
        }
        if ReportFiles.exists(path("evaluation/loo.csv")) {
            leaveOneOut = try Self.readPairs(path: path("evaluation/loo.csv"), taskNames: taskNames, hasTrainTask: true)
        }
        if ReportFiles.exists(path("evaluation/lds.csv")) {
            linearDatamodeling = try Self.readPairs(
                path: path("evaluation/lds.csv"), taskNames: taskNames, hasTrainTask: false)
        }
        // `selection/NAME.config.json` is the run configuration `mtif select` saved beside its results.
        let selectionFiles = ReportFiles.names(in: path("selection"), endingWith: ".json")
            .filter { !$0.hasSuffix(".config.json") }
        for name in selectionFiles {
            selections.append(try Self.readSelection(path: path("selection/" + name), taskNames: taskNames))
        }
    }

    /// A baseline matrix, which must say what it is and which sign means harm.
    private static func readBaseline(path: String) throws -> TaskMatrixDocument {
        let document = try ReportFiles.decodeJSON(TaskMatrixDocument.self, path: path)
        guard document.method != nil, document.positiveMeans != nil else {
            throw DataError(
                .malformedHeader, path: path,
                "A baseline matrix needs 'method' (its name) and 'positiveMeans' (\"harms\" or \"helps\"), "
                    + "since baselines differ in sign; found method \(document.method ?? "none"), "
                    + "positiveMeans \(document.positiveMeans?.rawValue ?? "none").")
        }
        return document
    }

    /// `predicted,actual,train_task,query_task` (leave-one-out) or `subset,query,query_task,
    /// predicted,actual` (linear datamodeling, `query` optional); task columns hold task names.
    private static func readPairs(path: String, taskNames: [String], hasTrainTask: Bool) throws -> PredictionPairs {
        let table = try CSVReader.read(path: path)
        guard table.rowCount > 0 else {
            throw DataError(.truncatedFile, path: path, "Expected at least one row of predicted and actual values.")
        }
        return PredictionPairs(
            predicted: try ReportFiles.numbers(table, "predicted"), actual: try ReportFiles.numbers(table, "actual"),
            trainTasks: hasTrainTask ? try ReportFiles.tasks(table, "train_task", taskNames: taskNames) : nil,
            queryTasks: try ReportFiles.tasks(table, "query_task", taskNames: taskNames),
            queries: try ReportFiles.texts(table, table.columnNames.contains("query") ? "query" : "query_task"))
    }

    private static func readSelection(path: String, taskNames: [String]) throws -> SelectionResult {
        let result = try ReportFiles.decodeJSON(SelectionResult.self, path: path)
        guard result.strategies.count >= 2 else {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected 'strategies' to hold the full-data reference and at least one selection, "
                    + "found \(result.strategies.count).")
        }
        for strategy in result.strategies {
            let lengths = [strategy.loss.count] + (strategy.accuracy.map { [$0.count] } ?? [])
            guard lengths.allSatisfy({ $0 == result.tasks.count }) else {
                throw DataError(
                    .shapeMismatch, path: path,
                    "Expected 'loss' and 'accuracy' of strategy '\(strategy.name)' to hold one value per entry of "
                        + "'tasks' (\(result.tasks.count)), found lengths \(lengths).")
            }
        }
        let named = result.tasks + (result.targetTask.map { [$0] } ?? [])
        if let unknown = named.first(where: { !taskNames.contains($0) }) {
            throw DataError(
                .labelOutOfRange, path: path,
                "Expected tasks of the run (\(ReportFiles.listed(taskNames))), found '\(unknown)'.")
        }
        return result
    }
}
