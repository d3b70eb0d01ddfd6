import Foundation
import Shared

/// `RUN/evaluation/summary.json` and the table `mtif evaluate` prints: how well the scores agree
/// with the ground truth in the run directory.
///
/// Read back from the evaluation files (through `EvaluationInputs`, as `mtif report` reads
/// them), so that it covers every kind evaluated so far, in this invocation or an earlier one.
struct EvaluationSummary: Encodable {
    struct Group: Encodable {
        var name: String
        var correlation: Correlation
    }

    /// Leave-one-out: Pearson and Spearman of the scores with the actual effects.
    struct LeaveOneOutPart: Encodable {
        var pooled: Correlation
        var withinTask: Correlation
        var betweenTask: Correlation
        var perQueryTask: [Group]
    }

    /// Linear datamodeling: Spearman across subsets, per query, and its mean, the LDS.
    struct DatamodelingPart: Encodable {
        var subsets: Int
        var score: Double
        var perQuery: [Group]
    }

    /// One task matrix's agreement over the between-task pairs.
    struct MatrixAgreement: Encodable {
        var method: String
        var positiveMeans: String
        var spearmanWithLeaveOneTaskOut: Double?
        var spearmanWithTaskMatrix: Double?
    }

    struct RelatednessPart: Encodable {
        var betweenTaskPairs: Int
        var methods: [MatrixAgreement]
    }

    var run: String
    var sign = "effects are V(ŵ) − V(retrained): > 0 means the removed data harmed the query"
    var leaveOneOut: LeaveOneOutPart?
    var linearDatamodeling: DatamodelingPart?
    var taskRelatedness: RelatednessPart?
    var createdBy = "mtif \(CommandLineInterface.version)"

    /// - Throws: `DataError` when an evaluation file is malformed.
    init(runDirectory: String, inputs: ScoreRunInputs) throws {
        run = runDirectory
        let names = inputs.taskNames
        let evaluation = try EvaluationInputs(directory: runDirectory, taskNames: names)
        leaveOneOut = evaluation.leaveOneOut.map { Self.leaveOneOut($0, names: names) }
        linearDatamodeling = evaluation.linearDatamodeling.map(Self.datamodeling)
        taskRelatedness = Self.relatedness(evaluation, inputs: inputs)
    }

    private static func leaveOneOut(_ pairs: PredictionPairs, names: [String]) -> LeaveOneOutPart {
        let trainTasks = pairs.trainTasks ?? pairs.queryTasks
        let indices = Array(pairs.predicted.indices)
        let correlation = { (rows: [Int]) in
            Correlation(predicted: rows.map { pairs.predicted[$0] }, actual: rows.map { pairs.actual[$0] })
        }
        let perTask = names.indices.compactMap { task -> Group? in
            let rows = indices.filter { pairs.queryTasks[$0] == task }
            return rows.isEmpty ? nil : Group(name: names[task], correlation: correlation(rows))
        }
        return LeaveOneOutPart(
            pooled: correlation(indices),
            withinTask: correlation(indices.filter { trainTasks[$0] == pairs.queryTasks[$0] }),
            betweenTask: correlation(indices.filter { trainTasks[$0] != pairs.queryTasks[$0] }),
            perQueryTask: perTask)
    }

    private static func datamodeling(_ pairs: PredictionPairs) -> DatamodelingPart {
        var order: [String] = []
        var rows: [String: [Int]] = [:]
        for (index, query) in pairs.queries.enumerated() {
            if rows[query] == nil { order.append(query) }
            rows[query, default: []].append(index)
        }
        let perQuery = order.map { query in
            Group(
                name: query,
                correlation: Correlation(
                    predicted: rows[query]!.map { pairs.predicted[$0] }, actual: rows[query]!.map { pairs.actual[$0] }))
        }
        let defined = perQuery.map(\.correlation.spearman).filter(\.isFinite)
        return DatamodelingPart(
            subsets: rows.values.map(\.count).max() ?? 0, score: Statistics.mean(defined), perQuery: perQuery)
    }

    /// The task matrix, its examples-only variant and every baseline, against leave-one-task-out
    /// and against the task matrix; nil when there is neither leave-one-task-out nor a baseline.
    private static func relatedness(_ evaluation: EvaluationInputs, inputs: ScoreRunInputs) -> RelatednessPart? {
        guard evaluation.leaveOneTaskOut != nil || !evaluation.baselines.isEmpty else { return nil }
        let count = inputs.taskNames.count
        let loto = evaluation.leaveOneTaskOut.map { Matrix(rowArrays: $0) }
        let mtif = inputs.taskMatrix
        var candidates: [(String, Matrix, Bool)] = [
            ("MTIF task matrix (task-matrix.json)", mtif, false),
            ("MTIF summed over the removed examples (Σ_i scores)", Self.summedScores(inputs), false),
        ]
        for baseline in evaluation.baselines {
            let helps = baseline.document.positiveMeans == .helps
            candidates.append((baseline.document.method ?? baseline.file, Matrix(rowArrays: baseline.values), helps))
        }
        let methods = candidates.enumerated().map { index, candidate in
            let (method, matrix, helps) = candidate
            return MatrixAgreement(
                method: method, positiveMeans: helps ? "helps" : "harms",
                spearmanWithLeaveOneTaskOut: loto.map {
                    Agreement.taskMatrixSpearman(matrix, aPositiveMeansHelps: helps, $0, bPositiveMeansHelps: false)
                },
                spearmanWithTaskMatrix: index == 0
                    ? nil
                    : Agreement.taskMatrixSpearman(matrix, aPositiveMeansHelps: helps, mtif, bPositiveMeansHelps: false)
            )
        }
        return RelatednessPart(betweenTaskPairs: count * (count - 1), methods: methods)
    }

    /// Σ_i MTIF^k_li as a K × K matrix; NaN in the columns of tasks the run did not query.
    private static func summedScores(_ inputs: ScoreRunInputs) -> Matrix {
        let sums = inputs.scores.summedByTrainTask()
        let count = inputs.taskNames.count
        var matrix = Matrix(rows: count, columns: count, repeating: .nan)
        for (column, query) in inputs.scores.queries.enumerated() {
            for l in 0..<count { matrix[l, query.task] = sums[l, column] }
        }
        return matrix
    }
}
