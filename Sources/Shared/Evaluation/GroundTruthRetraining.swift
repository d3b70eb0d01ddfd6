/// What one retraining of the ground truth measured: every task's validation loss at the
/// retrained parameters, and how the retraining ended.
public struct MeasuredRetraining: Sendable, Hashable, Codable {
    /// V_k(w′) for every task k, in task order (method.md §2).
    public var validationLosses: [Double]
    public var report: TrainingReport

    public init(validationLosses: [Double], report: TrainingReport) {
        self.validationLosses = validationLosses
        self.report = report
    }
}

/// Ground truth by retraining (method.md §6): retrains the model from ŵ without each request's
/// examples and measures every task's validation loss, batch by batch, so that a store (a
/// journal on disk) keeps every finished retraining before the next batch starts and a killed
/// evaluation loses at most one batch.
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

    /// Measures every request, retraining only those `finished` does not know.
    ///
    /// - Parameters:
    ///   - requests: results come back in this order; a request listed twice is retrained once.
    ///   - retrainer: runs the retrainings (here or on a worker pool), from ŵ.
    ///   - batchSize: requests handed to `retrainer` at once (≥ 1). Each batch is recorded before
    ///     the next starts, so larger batches keep a pool busy and lose more when killed.
    ///   - finished: a finished measurement of a request, or nil when it must be retrained.
    ///   - record: stores a new measurement; called for every request of a batch once the
    ///     whole batch has been retrained.
    ///   - progress: given the number of requests left to retrain, returns the reporter to
    ///     advance once per retraining (or nil).
    /// - Throws: `UsageError` for a request that does not fit the objective (checked before any
    ///   retraining); `TrainingError` when a retraining does not converge (earlier batches are
    ///   recorded); whatever `finished` and `record` throw.
    /// - Complexity: one warm-started training and one validation pass per unfinished request.
    public func measure(
        _ requests: [RetrainingRequest], retrainer: any Retrainer, batchSize: Int,
        finished: (RetrainingRequest) throws -> MeasuredRetraining?,
        record: (RetrainingRequest, MeasuredRetraining) throws -> Void,
        progress: (Int) -> ProgressReporter?
    ) throws -> [MeasuredRetraining] {
        precondition(batchSize >= 1, "A batch holds at least one retraining")
        for request in requests { try request.validate(against: objective) }
        var measured: [RetrainingRequest: MeasuredRetraining] = [:]
        var pending: [RetrainingRequest] = []
        var seen = Set<RetrainingRequest>()
        for request in requests where seen.insert(request).inserted {
            if let done = try finished(request) { measured[request] = done } else { pending.append(request) }
        }

        let reporter = progress(pending.count)
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            let batch = Array(pending[start..<min(start + batchSize, pending.count)])
            let trained = try retrainer.retrain(batch, objective: objective, from: parameters, progress: nil)
            for (request, result) in zip(batch, trained) {
                let measurement = MeasuredRetraining(
                    validationLosses: try validationLosses(at: result.parameters), report: result.report)
                try record(request, measurement)
                measured[request] = measurement
            }
            reporter?.advance(by: batch.count)
        }
        reporter?.finish()
        return requests.map { measured[$0]! }  // every request was found finished or retrained above
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
