/// One retraining of the ground truth: which training examples to leave out, and how.
///
/// Leave-one-out removes one example, leave-one-task-out every example of one task, an LDS
/// subset the examples outside it, and a selection strategy the examples it judged harmful. The
/// retrained model is compared with ŵ on whatever split the caller measures.
public struct RetrainingRequest: Sendable, Hashable, Codable {
    /// The examples left out, sorted by task then position, without repeats.
    public let removed: [TrainExample]
    public let convention: RemovalConvention

    /// - Parameters:
    ///   - removed: any order; repeats are dropped.
    ///   - convention: weight-zero (method.md (3)) or renormalised (method.md (4)). Removing
    ///     every example of a task needs weight-zero: renormalising would divide by zero.
    public init(removing removed: some Sequence<TrainExample>, convention: RemovalConvention = .weightZero) {
        self.removed = Set(removed).sorted { ($0.task, $0.example) < ($1.task, $1.example) }
        self.convention = convention
    }

    /// Every training example of `tasks` (leave-one-task-out), weight-zero.
    public static func removingTasks(_ tasks: [Int], of objective: MultitaskObjective) -> RetrainingRequest {
        RetrainingRequest(
            removing: tasks.flatMap { task in
                (0..<objective.trainCount(task: task)).map { TrainExample(task: task, example: $0) }
            })
    }

    /// Checks the request against an objective's training split.
    ///
    /// - Throws: `UsageError` for an example outside its task, or a renormalised request that
    ///   leaves a task without examples.
    public func validate(against objective: MultitaskObjective) throws {
        for (task, examples) in removedByTask {
            guard task >= 0, task < objective.taskCount else {
                throw UsageError("Retraining removes examples of task \(task); the model has \(objective.taskCount).")
            }
            let count = objective.trainCount(task: task)
            if let outside = examples.first(where: { $0 < 0 || $0 >= count }) {
                throw UsageError("Retraining removes example \(outside) of task \(task), which has \(count).")
            }
            if convention == .renormalised, Set(examples).count == count {
                throw UsageError(
                    "Renormalised removal of all \(count) examples of task \(task) leaves nothing to average; "
                        + "use weight-zero removal.")
            }
        }
    }

    /// The objective without the removed examples.
    ///
    /// - Precondition: `validate(against:)` passes.
    public func applied(to objective: MultitaskObjective) -> MultitaskObjective {
        removedByTask.reduce(objective) { reduced, entry in
            reduced.removing(examples: entry.examples, task: entry.task, convention: convention)
        }
    }

    /// The removed positions of each task that loses any, in task order.
    public var removedByTask: [(task: Int, examples: [Int])] {
        Dictionary(grouping: removed, by: \.task).sorted { $0.key < $1.key }.map { task, examples in
            (task, examples.map(\.example))
        }
    }
}

/// Runs retrainings: in this process, or (in the coordinator) as jobs on a worker pool.
///
/// Every implementation must give the parameters `InProcessRetrainer` gives, bit for bit on the
/// same machine and BLAS thread count: the ground truth may not depend on where it ran.
public protocol Retrainer {
    /// Retrains `objective` without each request's examples, from `start`.
    ///
    /// - Parameters:
    ///   - requests: one retraining each; results come back in this order.
    ///   - objective: the full-data objective ŵ was trained on.
    ///   - start: the warm start, normally ŵ.
    ///   - progress: advanced once per finished retraining.
    /// - Throws: `TrainingError` when a retraining does not converge; `UsageError` for a request
    ///   that does not fit the objective.
    func retrain(
        _ requests: [RetrainingRequest], objective: MultitaskObjective, from start: [Double],
        progress: ProgressReporter?
    ) throws -> [TrainedParameters]
}

/// Retrains one request after another in this process.
public struct InProcessRetrainer: Retrainer {
    public var trainer: MultitaskTrainer

    public init(trainer: MultitaskTrainer = MultitaskTrainer()) {
        self.trainer = trainer
    }

    public func retrain(
        _ requests: [RetrainingRequest], objective: MultitaskObjective, from start: [Double],
        progress: ProgressReporter?
    ) throws -> [TrainedParameters] {
        for request in requests { try request.validate(against: objective) }
        let results = try requests.map { request in
            let result = try trainer.train(request.applied(to: objective), from: start)
            progress?.advance()
            return result
        }
        progress?.finish()
        return results
    }
}
