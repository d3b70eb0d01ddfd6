import Foundation
import Shared

/// A finished score run loaded again for a later step: its task-query scores and task matrix,
/// and the dataset and checkpoint it scored, each checked against the run's fingerprints.
struct ScoreRunInputs {
    let run: ScoreRun
    let dataset: MultitaskDataset
    /// The dataset argument and options, as recorded in the manifest or given instead.
    let datasetDescription: String
    /// The same as a request that workers can load.
    let datasetRequest: DatasetRequest
    let checkpoint: Checkpoint
    let checkpointPath: String
    let objective: MultitaskObjective
    /// The task validation-loss columns of `scores.npy`, rows in the run's order.
    let scores: InfluenceScores
    /// K × K, rows train task l, columns query task k.
    let taskMatrix: Matrix

    var taskNames: [String] { run.taskNames }

    /// Reads the run in `directory` and loads what it scored.
    ///
    /// - Parameters:
    ///   - dataset: a dataset description such as `yeast --seed 0` to use instead of the
    ///     manifest's; the same data must come out.
    ///   - checkpoint: a checkpoint path to use instead of the manifest's.
    ///   - dataDirectory: where built-in datasets live (`--data-dir`).
    /// - Throws: `DataError` for a malformed run directory or dataset; `CheckpointError` for an
    ///   unreadable checkpoint; `UsageError` when the dataset or the checkpoint is not the one
    ///   the run scored (their fingerprints differ from the manifest's), or the manifest's
    ///   checkpoint is missing and none is given.
    init(directory: String, dataset description: String?, checkpoint path: String?, dataDirectory: String?) throws {
        run = try ScoreRun(directory: directory)
        let manifest = run.manifest
        datasetDescription = description ?? manifest.dataset.description
        let arguments = try Self.datasetArguments(description: datasetDescription, dataDirectory: dataDirectory)
        datasetRequest = DatasetRequest(arguments.positional[0], arguments)
        dataset = try DatasetOptions.load(arguments.positional[0], arguments)
        guard dataset.fingerprint() == manifest.dataset.fingerprint else {
            throw UsageError(
                "The dataset '\(datasetDescription)' has fingerprint \(dataset.fingerprint()), but the run in "
                    + "\(directory) scored fingerprint \(manifest.dataset.fingerprint) ('\(manifest.dataset.description)'). "
                    + "Give --dataset with the description and options the run was scored with.")
        }
        checkpointPath = path ?? manifest.model.checkpoint
        guard path != nil || FileManager.default.fileExists(atPath: checkpointPath) else {
            throw UsageError(
                "The run's checkpoint \(checkpointPath) is not there (a relative path is relative to where "
                    + "`mtif score` ran). Give --checkpoint with the model the run scored.")
        }
        checkpoint = try Checkpoint.read(from: checkpointPath)
        objective = try checkpoint.makeObjective(
            dataset: dataset, datasetDescription: datasetDescription, path: checkpointPath)
        let fingerprint = objective.model.fingerprint(parameters: checkpoint.parameters)
        guard fingerprint == manifest.model.fingerprint else {
            throw UsageError(
                "The checkpoint \(checkpointPath) has model fingerprint \(fingerprint), but the run in \(directory) "
                    + "scored \(manifest.model.fingerprint) (\(manifest.model.checkpoint)). Give --checkpoint with the "
                    + "model the run scored.")
        }
        scores = try Self.taskQueryScores(run, directory: directory, convention: manifest.configuration.convention)
        taskMatrix = Matrix(
            rows: run.taskNames.count, columns: run.taskNames.count, elements: run.taskMatrix.flatMap { $0 })
    }

    /// A dataset description parsed as a command line: one positional argument and the dataset
    /// options, split into words as a POSIX shell would (`DatasetOptions.description` quotes
    /// words with spaces), with `--data-dir` added when given.
    ///
    /// - Throws: `UsageError` for an unknown option, unbalanced quotes, or not one argument.
    static func datasetArguments(description: String, dataDirectory: String?) throws -> CommandArguments {
        var words = try shellWords(description)
        if let dataDirectory { words += ["--data-dir", dataDirectory] }
        let arguments = try CommandArguments(
            words, valueOptions: DatasetOptions.valueOptions, flagOptions: DatasetOptions.flagOptions)
        guard arguments.positional.count == 1 else {
            throw UsageError(
                "A dataset description names one dataset and its options, such as 'yeast --seed 0'; found "
                    + "\(arguments.positional.count) arguments in '\(description)'.")
        }
        return arguments
    }

    /// Splits `text` into words: blanks separate words, single quotes keep everything up to the
    /// next single quote, a backslash outside quotes keeps the next character.
    ///
    /// - Throws: `UsageError` for an unclosed quote.
    static func shellWords(_ text: String) throws -> [String] {
        var words: [String] = []
        var current: String?
        var isQuoted = false
        var isEscaped = false
        for character in text {
            if isEscaped {
                current = (current ?? "") + String(character)
                isEscaped = false
            } else if isQuoted {
                if character == "'" { isQuoted = false } else { current! += String(character) }
            } else if character == "'" {
                isQuoted = true
                current = current ?? ""
            } else if character == "\\" {
                isEscaped = true
            } else if character == " " || character == "\t" {
                if let word = current { words.append(word) }
                current = nil
            } else {
                current = (current ?? "") + String(character)
            }
        }
        guard !isQuoted, !isEscaped else { throw UsageError("Unbalanced quote or trailing backslash in '\(text)'.") }
        return words + (current.map { [$0] } ?? [])
    }

    /// The run's task-query scores as `InfluenceScores`: `ScoreRun` has grouped them by train
    /// task, each task's rows in order of position (`train-examples.csv` lists rows by task, then
    /// position).
    private static func taskQueryScores(
        _ run: ScoreRun, directory: String, convention: RemovalConvention
    ) throws
        -> InfluenceScores
    {
        let counts = run.manifest.dataset.trainCounts
        let columns = run.queriedTasks.count
        var elements: [Double] = []
        elements.reserveCapacity(counts.reduce(0, +) * columns)
        for (task, count) in counts.enumerated() {
            for example in 0..<count {
                elements += (0..<columns).map { run.taskQueryScores[task][$0][example] }
            }
        }
        try checkRowOrder(directory: directory, counts: counts)
        return InfluenceScores(
            values: Matrix(rows: counts.reduce(0, +), columns: columns, elements: elements),
            queries: run.queriedTasks.map { .taskValidationLoss(task: $0) }, trainCounts: counts,
            convention: convention)
    }

    /// Checks that row r of `train-examples.csv` is example r − offset of its task, as the rows of
    /// the scores are assumed to be.
    private static func checkRowOrder(directory: String, counts: [Int]) throws {
        let path = (directory as NSString).appendingPathComponent("train-examples.csv")
        let table = try CSVReader.read(path: path)
        let (tasks, examples) = (
            try ReportFiles.integers(table, "train_task"), try ReportFiles.integers(table, "example")
        )
        let expected = counts.enumerated().flatMap { task, count in (0..<count).map { (task, $0) } }
        if let row = expected.indices.first(where: { expected[$0] != (tasks[$0], examples[$0]) }) {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected the rows in order of train task, then position; row \(row) is example \(examples[row]) of "
                    + "task \(tasks[row]), expected example \(expected[row].1) of task \(expected[row].0).")
        }
    }
}
