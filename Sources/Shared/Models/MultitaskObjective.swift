/// How an example is removed from the objective (method.md §2).
public enum RemovalConvention: String, Sendable, Hashable, Codable, CaseIterable {
    /// The example's weight becomes 0; every other term keeps its 1/n_l.
    case weightZero = "weight-zero"
    /// The task is re-averaged over the remaining examples: their weights are scaled so that the
    /// task's total weight is unchanged (n_l/(n_l − 1) each when one of n_l unit weights goes).
    case renormalised
}

/// The multitask training objective of method.md (1) on one split of a dataset:
///
///     L(w) = Σ_k [ (1/n_k) Σᵢ c_ki·ℓ_k(θ_k, γ; z_ki) + Ω_k(θ_k, γ) ]
///
/// n_k is the number of examples of task k in the training split and stays fixed; the weights
/// c_ki (default 1) remove or re-weight examples without copying data. The value, gradient,
/// curvature products and Hessian blocks live in extensions by concern; queries on other splits
/// (validation losses, per-example gradients) in `MultitaskObjective+Examples.swift`; tasks that
/// list the same inputs share a hard-sharing trunk's passes (`MultitaskObjective+SharedInputs.swift`).
///
/// Task k's term T_k = (1/n_k) Σᵢ c_ki·ℓ_ki + Ω_k touches only θ_k and γ, which is the
/// block-arrowhead structure of §4.
///
/// - Important: A value type; evaluation never mutates it, so one objective can be shared by
///   concurrent readers.
public struct MultitaskObjective: Sendable {
    public let model: MultitaskModel
    public let dataset: MultitaskDataset
    /// The split the objective averages over, `.train` unless stated.
    public let trainingSplit: Split
    public let regularization: Regularization
    /// c_ki, one array per task aligned with that task's examples in `trainingSplit`.
    public private(set) var exampleWeights: [[Double]]
    let penalty: RegularizationPenalty

    /// Examples per batch. It bounds the memory of activations, not the result. Small batches
    /// keep every temporary (activations, deltas, n × outputs·nQ query projections) in cache and
    /// below the allocator's mmap threshold; measured on a 103→16 trunk with 14 heads, 64 scored
    /// about twice as fast as 512 and computed gradients as fast.
    static let batchSize = 64

    /// The objective of `model` on `trainingSplit` of `dataset`, every weight 1.
    ///
    /// - Precondition: `model` was built for `dataset`'s feature count and target kinds.
    /// - Throws: `ModelError.Code.invalidConfiguration` for a negative or non-finite penalty;
    ///   `.emptyTask` when a task has no training examples (its 1/n_k is undefined);
    ///   `.invalidTarget` when a target in any split is outside what its loss accepts.
    public init(
        model: MultitaskModel, dataset: MultitaskDataset, trainingSplit: Split = .train,
        regularization: Regularization
    ) throws {
        precondition(model.featureCount == dataset.featureCount, "Model and dataset disagree on features")
        precondition(model.targetKinds == dataset.tasks.map(\.targetKind), "Model and dataset disagree on tasks")
        try regularization.validate()
        try Self.validateExamples(model: model, dataset: dataset, trainingSplit: trainingSplit)

        self.model = model
        self.dataset = dataset
        self.trainingSplit = trainingSplit
        self.regularization = regularization
        self.exampleWeights = dataset[trainingSplit].tasks.map { [Double](repeating: 1, count: $0.count) }
        self.penalty = RegularizationPenalty(
            layout: model.layout, isSoftSharing: model.architecture.isSoftSharing, regularization: regularization)
    }

    /// P.
    public var parameterCount: Int { model.parameterCount }

    /// K.
    public var taskCount: Int { model.taskCount }

    /// n_k, the number of examples of `task` in the training split, whatever their weights.
    public func trainCount(task: Int) -> Int {
        dataset[trainingSplit].tasks[task].count
    }

    // MARK: - Example weights

    /// Replaces the weights c_ki of one task.
    ///
    /// - Precondition: one finite, non-negative weight per training example of `task`.
    public mutating func setExampleWeights(_ weights: [Double], task: Int) {
        precondition(weights.count == trainCount(task: task), "Task \(task) has \(trainCount(task: task)) examples")
        precondition(weights.allSatisfy { $0.isFinite && $0 >= 0 }, "Example weights must be finite and non-negative")
        exampleWeights[task] = weights
    }

    /// A copy of the objective without the given examples of one task.
    ///
    /// - Parameters:
    ///   - examples: positions in `task`'s training examples; removing one twice is harmless.
    ///   - convention: weight-zero (method.md (3)) or renormalised (method.md (4)).
    /// - Precondition: after renormalised removal some weight must remain.
    public func removing(examples: [Int], task: Int, convention: RemovalConvention = .weightZero) -> MultitaskObjective
    {
        var weights = exampleWeights[task]
        let totalBefore = weights.reduce(0, +)
        for example in examples { weights[example] = 0 }
        if convention == .renormalised {
            let totalAfter = weights.reduce(0, +)
            precondition(totalAfter > 0, "Renormalised removal needs at least one example left in task \(task)")
            weights = weights.map { $0 * totalBefore / totalAfter }
        }
        var copy = self
        copy.setExampleWeights(weights, task: task)
        return copy
    }

    // MARK: - Validation

    private static func validateExamples(model: MultitaskModel, dataset: MultitaskDataset, trainingSplit: Split) throws
    {
        for (task, network) in model.networks.enumerated() {
            let name = dataset.tasks[task].name
            if dataset[trainingSplit].tasks[task].count == 0 {
                throw ModelError(
                    .emptyTask,
                    "Task \(task) (\(name)) has no \(trainingSplit.rawValue) examples, so 1/n_k is undefined.")
            }
            for split in Split.allCases {
                let targets = dataset[split].tasks[task].targets
                if let bad = targets.firstIndex(where: { !network.loss.accepts($0) }) {
                    throw ModelError(
                        .invalidTarget,
                        "Task \(task) (\(name)), \(split.rawValue) example \(bad): target \(targets[bad]) is not valid "
                            + "for a \(dataset.tasks[task].targetKind) task.")
                }
            }
        }
    }
}
