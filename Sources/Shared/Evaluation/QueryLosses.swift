/// The losses the scores predict changes of: V_k for task queries, ℓ_k(z) for example queries.
public enum QueryLosses {
    /// The loss of every query at `parameters`.
    ///
    /// - Throws: `ModelError.Code.emptyTask` when a query task has no validation examples.
    /// - Complexity: one validation forward pass per query task.
    public static func evaluate(
        objective: MultitaskObjective, parameters: [Double], queries: [Query]
    ) throws -> [Double] {
        var exampleLosses: [Int: [Double]] = [:]
        return try queries.map { query in
            switch query {
            case .taskValidationLoss(let task):
                return try objective.meanLoss(task: task, split: .validation, at: parameters)
            case .validationExample(let task, let example):
                if exampleLosses[task] == nil {
                    exampleLosses[task] = objective.exampleLosses(task: task, split: .validation, at: parameters)
                }
                return exampleLosses[task]![example]
            }
        }
    }

    /// Actual effects Δ_j = V_j(ŵ) − V_j(w′) of moving from `original` to `retrained` parameters,
    /// with the sign convention of the scores (positive: the loss went down, so what was
    /// removed was harmful).
    public static func effects(
        objective: MultitaskObjective, original: [Double], retrained: [Double], queries: [Query]
    ) throws -> [Double] {
        let before = try evaluate(objective: objective, parameters: original, queries: queries)
        let after = try evaluate(objective: objective, parameters: retrained, queries: queries)
        return zip(before, after).map { $0 - $1 }
    }
}
