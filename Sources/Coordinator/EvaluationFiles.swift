import Foundation
import Shared

/// Writes what `mtif evaluate` measured into `RUN/evaluation/` (docs/file-formats.md): the files
/// `mtif report` reads (`loo.csv`, `loto.json`, `lds.csv`, `baselines/*.json`) and the ground
/// truth for other tools (`ground-truth/`). Each file is written atomically; a kind that was not
/// evaluated this time leaves its files from an earlier evaluation as they are.
struct EvaluationFiles {
    let directory: URL
    let inputs: ScoreRunInputs
    let plan: EvaluationPlan
    /// The optimiser of the retrainings, for provenance.
    let trainer: MultitaskTrainer

    var taskNames: [String] { inputs.taskNames }
    var scores: InfluenceScores { inputs.scores }

    /// Writes every kind the plan holds.
    ///
    /// - Parameters:
    ///   - measured: one per request of `plan.requests`, in its order.
    ///   - before: V_k(ŵ) for every task.
    /// - Throws: `RunStoreError` or `DataError.Code.unwritableFile` when a file cannot be written.
    func write(measured: [MeasuredRetraining], before: [Double]) throws {
        precondition(measured.count == plan.requests.count, "One measurement per planned retraining")
        let looCount = plan.leaveOneOut.count
        let lotoCount = plan.leftOutTasks.count
        let groundTruth = GroundTruthFiles(directory: directory.appendingPathComponent("ground-truth"), files: self)
        var kinds: [GroundTruthFiles.Kind] = []
        if looCount > 0 {
            let results = Array(measured[0..<looCount])
            try writeText("loo.csv", leaveOneOutTable(results, before: before))
            kinds.append(.leaveOneOut(results))
        }
        if lotoCount > 0 {
            let results = Array(measured[looCount..<(looCount + lotoCount)])
            try RunFiles.writeJSON(
                leaveOneTaskOutDocument(results, before: before), to: directory.appendingPathComponent("loto.json"))
            kinds.append(.leaveOneTaskOut(results))
        }
        if let subsets = plan.subsets {
            let results = Array(measured[(looCount + lotoCount)...])
            try writeText("lds.csv", datamodelingTable(subsets, results, before: before))
            kinds.append(.linearDatamodeling(subsets, results))
        }
        if !kinds.isEmpty { try groundTruth.write(kinds, before: before) }
    }

    /// The gradient cosine and lookahead affinity matrices (method.md §9).
    ///
    /// - Throws: `ModelError` for a task without training or validation examples; write errors.
    func writeBaselines(lookaheadStep: Double) throws {
        let (objective, parameters) = (inputs.objective, inputs.checkpoint.parameters)
        let shared = objective.model.architecture.isSoftSharing ? "each task's own network (soft sharing)" : "γ"
        let cosine = try TaskAffinity.gradientCosine(objective: objective, parameters: parameters)
        let lookahead = try TaskAffinity.lookahead(objective: objective, parameters: parameters, step: lookaheadStep)
        try writeBaseline(
            "cosine.json",
            BaselineDocument(
                method: "gradient cosine",
                description: "cos(g_l, g_k) of the gradients of the tasks' mean training losses at ŵ on the shared "
                    + "parameters (\(shared)); > 0: a step on l lowers k's training loss too.",
                matrix: cosine, taskNames: taskNames, step: nil))
        try writeBaseline(
            "lookahead.json",
            BaselineDocument(
                method: "lookahead task affinity",
                description: "1 − V_k(w′)/V_k(ŵ) after one gradient step of size η = \(lookaheadStep) on train task "
                    + "l's mean training loss, on the shared parameters (\(shared)); > 0: the step lowers k's "
                    + "validation loss.",
                matrix: lookahead, taskNames: taskNames, step: lookaheadStep))
    }

    // MARK: - Report files

    /// `predicted,actual,train_task,query_task,example,query,row,source_id,chosen_by`: one row per
    /// example and task query.
    func leaveOneOutTable(_ results: [MeasuredRetraining], before: [Double]) -> String {
        var lines = ["predicted,actual,train_task,query_task,example,query,row,source_id,chosen_by"]
        for (chosen, result) in zip(plan.leaveOneOut, results) {
            let example = chosen.example
            let row = scores.row(of: example)
            let actual = GroundTruthRetraining.effects(before: before, after: result, queries: scores.queries)
            for (column, query) in scores.queries.enumerated() {
                let fields = [
                    CSVText.number(scores.values[row, column]), CSVText.number(actual[column]),
                    CSVText.field(taskNames[example.task]), CSVText.field(taskNames[query.task]), "\(example.example)",
                    CSVText.field(query.label(taskNames: taskNames)), "\(row)", "\(sourceID(example))",
                    chosen.choice.rawValue,
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `subset,query,query_task,predicted,actual,removed`: one row per subset and task query.
    func datamodelingTable(_ subsets: DatamodelSubsets, _ results: [MeasuredRetraining], before: [Double]) -> String {
        var lines = ["subset,query,query_task,predicted,actual,removed"]
        for (subset, result) in results.enumerated() {
            let predicted = scores.predictedEffect(ofRemoving: subsets.removed[subset])
            let actual = GroundTruthRetraining.effects(before: before, after: result, queries: scores.queries)
            for (column, query) in scores.queries.enumerated() {
                let fields = [
                    "\(subset)", CSVText.field(query.label(taskNames: taskNames)),
                    CSVText.field(taskNames[query.task]), CSVText.number(predicted[column]),
                    CSVText.number(actual[column]), "\(subsets.removed[subset].count)",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The actual K × K matrix: entry (l, k) = V_k(ŵ) − V_k(ŵ retrained without task l's
    /// examples), the diagonal measured like the rest.
    func leaveOneTaskOutDocument(_ results: [MeasuredRetraining], before: [Double]) -> BaselineDocument {
        var matrix = Matrix(rows: taskNames.count, columns: taskNames.count)
        for (task, result) in zip(plan.leftOutTasks, results) {
            for k in taskNames.indices { matrix[task, k] = before[k] - result.validationLosses[k] }
        }
        var document = BaselineDocument(
            method: "leave-one-task-out retraining",
            description: "V_k(ŵ) − V_k(ŵ retrained without every training example of l), weight zero (l's penalty "
                + "term stays); the diagonal is measured like the rest.",
            matrix: matrix, taskNames: taskNames, step: nil)
        document.positiveMeans = "harms"
        document.retrainingIterations = results.map(\.report.iterations)
        document.retrainingRelativeGradientNorms = results.map(\.report.relativeGradientNorm)
        return document
    }

    // MARK: - Helpers

    func sourceID(_ example: TrainExample) -> Int {
        let train = inputs.dataset.train
        return train.sourceIDs[train.tasks[example.task].rows[example.example]]
    }

    func writeText(_ name: String, _ text: String) throws {
        try RunFiles.createDirectory(directory)
        try RunFiles.writeAtomically(directory.appendingPathComponent(name)) { path in
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    private func writeBaseline(_ name: String, _ document: BaselineDocument) throws {
        let baselines = directory.appendingPathComponent("baselines")
        try RunFiles.createDirectory(baselines)
        try RunFiles.writeJSON(document, to: baselines.appendingPathComponent(name))
    }
}

/// A K × K task matrix in the shape `mtif report` reads for `loto.json` and
/// `baselines/NAME.json` (rows train task l, columns query task k), with provenance.
struct BaselineDocument: Encodable {
    var method: String
    var description: String
    /// "harms" for leave-one-task-out, "helps" for the baselines.
    var positiveMeans = "helps"
    var trainTasks: [String]
    var queryTasks: [String]
    var values: [[Double]]
    /// Lookahead's η.
    var step: Double?
    var retrainingIterations: [Int]?
    var retrainingRelativeGradientNorms: [Double]?
    var createdBy = "mtif \(CommandLineInterface.version)"

    init(method: String, description: String, matrix: Matrix, taskNames: [String], step: Double?) {
        self.method = method
        self.description = description
        trainTasks = taskNames
        queryTasks = taskNames
        values = (0..<matrix.rows).map { matrix.row($0) }
        self.step = step
    }
}
