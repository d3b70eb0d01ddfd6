/// What one retraining of the ground truth measured: every task's validation loss at the
/// retrained parameters, and how the retraining ended.
public struct MeasuredRetraining: Sendable, Hashable {
    /// V_k(w′) for every task k, in task order (method.md §2).
    public var validationLosses: [Double]
    public var report: TrainingReport

    public init(validationLosses: [Double], report: TrainingReport) {
        self.validationLosses = validationLosses
        self.report = report
    }
}

/// Ground truth by retraining (method.md §6): retrains the model from ŵ without each request's
/// examples and measures every task's validation loss.
///
/// Where the retrainings run, and whether finished ones are kept on disk for a rerun, is the
/// retrainer's business (a worker pool with a journal, in `mtif evaluate`).
public struct GroundTruthRetraining: Sendable {
    /// The full-data objective ŵ minimises.
    public let objective: MultitaskObjective
    /// ŵ, the warm start of every retraining.
    public let parameters: [Double]

    public init(objective: MultitaskObjective, parameters: [Double]) {
        self.objective = objective
        self.parameters = parameters
    }

    /// V_k at `parameters` for every task k, in task order.
    ///
    /// - Throws: `ModelError.Code.emptyTask` when a task has no validation examples.
    /// - Complexity: one validation pass per task.
    public func validationLosses(at parameters: [Double]) throws -> [Double] {
        try QueryLosses.evaluate(
            objective: objective, parameters: parameters,
            queries: (0..<objective.taskCount).map { .taskValidationLoss(task: $0) })
    }

    /// Retrains every request and measures every task's validation loss after it.
    ///
    /// - Parameters:
    ///   - requests: results come back in this order; a request listed twice is retrained once.
    ///   - retrainer: runs the retrainings (here or on a worker pool), from ŵ.
    ///   - progress: advanced once per finished retraining.
    /// - Throws: `UsageError` for a request that does not fit the objective (checked before any
    ///   retraining); `TrainingError` when a retraining does not converge; whatever the
    ///   retrainer throws.
    /// - Complexity: one warm-started training and one validation pass per distinct request.
    public func measure(
        _ requests: [RetrainingRequest], retrainer: any Retrainer, progress: ProgressReporter?
    ) throws -> [MeasuredRetraining] {
        for request in requests { try request.validate(against: objective) }
        var distinct: [RetrainingRequest] = []
        var seen = Set<RetrainingRequest>()
        for request in requests where seen.insert(request).inserted { distinct.append(request) }

        let trained = try retrainer.retrain(distinct, objective: objective, from: parameters, progress: progress)
        var measured: [RetrainingRequest: MeasuredRetraining] = [:]
        for (request, result) in zip(distinct, trained) {
            measured[request] = MeasuredRetraining(
                validationLosses: try validationLosses(at: result.parameters), report: result.report)
        }
        return requests.map { measured[$0]! }  // every request is among the distinct ones
    }

    /// Actual effects Δ_j = V_j(ŵ) − V_j(w′) of one retraining on task-level queries, with the
    /// sign convention of the scores (> 0: the loss went down, what was removed harmed).
    ///
    /// - Precondition: every query is a task validation loss (`.taskValidationLoss`).
    public static func effects(before: [Double], after: MeasuredRetraining, queries: [Query]) -> [Double] {
        queries.map { query in
            guard case .taskValidationLoss(let task) = query else {
                preconditionFailure("Ground truth by retraining measures task validation losses only")
            }
            return before[task] - after.validationLosses[task]
        }
    }
}
