import Foundation
import Shared

/// How well MTIF predicts actual leave-one-out effects (method.md §6), on the two problems of
/// the engine's acceptance criteria. Prints one JSON line per problem.
///
/// - `linear`: synthetic linear hard sharing with squared loss; every training example against
///   every task query, actual effects from the exact closed form (rank-one downdate).
/// - `digits`: linear hard sharing with logistic heads on four digit pairs; `--removals`
///   examples spread over the training set, actual effects from warm-started Newton refits.
enum LeaveOneOutAgreement {
    static func run(_ words: [String]) throws {
        let arguments = try CommandArguments(words, valueOptions: ["removals", "data-dir"], flagOptions: [])
        let removals = try arguments.integer("removals", default: 100)
        let dataDirectory = arguments.value("data-dir") ?? "data"
        try linear()
        try digits(removals: removals, dataDirectory: dataDirectory)
    }

    static func linear() throws {
        let (objective, parameters) = try trained(
            "synthetic:K=3,n=300,d=6,noise=0.5,shared=0.7,conflicting=0,seed=5,kind=regression",
            architecture: .hardSharingLinear,
            l2: 1e-3, dataDirectory: "/nonexistent")
        let result = try InfluenceEngine.run(
            objective: objective, parameters: parameters, configuration: .init(solver: .dense))
        let rows = allExamples(objective)
        let actual = try LeaveOneOut.exactQuadratic(
            objective: objective, parameters: parameters, examples: rows, queries: result.scores.queries)
        report("linear-exact-loo", result: result, rows: rows, actual: actual)
    }

    static func digits(removals: Int, dataDirectory: String) throws {
        let (objective, parameters) = try trained(
            "digits:pairs=0-1/2-3/4-5/6-7", architecture: .hardSharingLinear, l2: 1e-2, dataDirectory: dataDirectory)
        let result = try InfluenceEngine.run(objective: objective, parameters: parameters, configuration: .init())
        let all = allExamples(objective)
        let rows = (0..<removals).map { all[($0 * 37) % all.count] }
        let actual = try LeaveOneOut.retrained(
            objective: objective, parameters: parameters, examples: rows, queries: result.scores.queries)
        report("digits-logistic-newton-loo", result: result, rows: rows, actual: actual)
    }

    static func report(_ name: String, result: InfluenceResult, rows: [TrainExample], actual: Matrix) {
        let predicted = result.scores.values.rows(at: rows.map { result.scores.row(of: $0) })
        var within: ([Double], [Double]) = ([], [])
        var between: ([Double], [Double]) = ([], [])
        for (row, example) in rows.enumerated() {
            for (column, query) in result.scores.queries.enumerated() {
                if example.task == query.task {
                    within.0.append(predicted[row, column])
                    within.1.append(actual[row, column])
                } else {
                    between.0.append(predicted[row, column])
                    between.1.append(actual[row, column])
                }
            }
        }
        let perQuery = (0..<actual.columns).map { Statistics.pearson(predicted.column($0), actual.column($0)) }
        print(
            String(
                format: "{\"problem\":\"%@\",\"removals\":%d,\"pooled\":%.4f,\"within\":%.4f,\"between\":%.4f,"
                    + "\"mean_per_query\":%.4f,\"spearman_pooled\":%.4f}",
                name, rows.count, Statistics.pearson(predicted.elements, actual.elements),
                Statistics.pearson(within.0, within.1), Statistics.pearson(between.0, between.1),
                Statistics.mean(perQuery), Statistics.spearman(predicted.elements, actual.elements)))
    }

    static func trained(
        _ specification: String, architecture: ModelArchitecture, l2: Double, dataDirectory: String
    ) throws -> (MultitaskObjective, [Double]) {
        let dataset = try DatasetSource.builtin(BuiltinDataset(specification: specification)).load(
            configuration: DatasetConfiguration(), dataDirectory: DataDirectory(path: dataDirectory))
        let model = try MultitaskModel(architecture: architecture, dataset: dataset)
        let objective = try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: l2))
        return (objective, try MultitaskTrainer().train(objective).parameters)
    }

    static func allExamples(_ objective: MultitaskObjective) -> [TrainExample] {
        (0..<objective.taskCount).flatMap { task in
            (0..<objective.trainCount(task: task)).map { TrainExample(task: task, example: $0) }
        }
    }
}
