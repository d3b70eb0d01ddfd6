/// One task's held-out quality: its mean loss and, for classification, its accuracy.
public struct TaskMetrics: Sendable, Hashable, Codable {
    /// The mean of ℓ_k over the task's examples in the split, unweighted, without penalty.
    public var loss: Double
    /// The fraction of examples classified correctly; NaN for regression tasks.
    public var accuracy: Double

    public init(loss: Double, accuracy: Double) {
        self.loss = loss
        self.accuracy = accuracy
    }

    /// The metrics of every task on `split` (normally `.test`, which played no part in scoring).
    ///
    /// Accuracy by target kind, from the network outputs f before the link:
    /// - binary (logistic): predict 1 when the probability s(f) > 0.5, that is f > 0, and count
    ///   it right when it equals the label (a fractional label y counts as 1 when y > 0.5);
    /// - multiclass (softmax): predict the arg max of f, the first one on ties;
    /// - regression: NaN, squared loss has no accuracy.
    ///
    /// - Throws: `ModelError.Code.emptyTask` when a task has no examples in `split`.
    /// - Complexity: one forward pass over the split per task.
    public static func measure(
        objective: MultitaskObjective, parameters: [Double], split: Split = .test
    ) throws -> [TaskMetrics] {
        try (0..<objective.taskCount).map { task in
            let loss = try objective.meanLoss(task: task, split: split, at: parameters)
            let outputs = objective.outputs(task: task, split: split, at: parameters)
            let targets = objective.dataset[split].tasks[task].targets
            let kind = objective.dataset.tasks[task].targetKind
            return TaskMetrics(loss: loss, accuracy: accuracy(outputs: outputs, targets: targets, kind: kind))
        }
    }

    /// The fraction of rows of `outputs` (n × C) whose prediction matches `targets`.
    static func accuracy(outputs: Matrix, targets: [Double], kind: TargetKind) -> Double {
        precondition(outputs.rows == targets.count, "One output row per target")
        guard kind != .regression, !targets.isEmpty else { return .nan }
        let correct = targets.indices.filter { row in
            switch kind {
            case .regression: false
            case .binary: (outputs[row, 0] > 0) == (targets[row] > 0.5)
            case .multiclass:
                Double(outputs.row(row).indices.max { outputs[row, $0] < outputs[row, $1] }!) == targets[row]
            }
        }
        return Double(correct.count) / Double(targets.count)
    }
}
