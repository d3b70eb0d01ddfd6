/// One way of removing training data in a selection experiment, with what it removes.
public struct SelectionStrategy: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// ŵ itself, the reference every other strategy is compared with.
        case fullData = "full-data"
        /// The examples an `ExampleSelector` rule picks from the scores.
        case mtif
        /// As many examples as an MTIF rule, drawn at random from the same candidates.
        case random
        /// Every example of the tasks the task matrix says harm the target.
        case taskLevel = "task-level"
    }

    public var name: String
    public var kind: Kind
    /// The MTIF rule it is, or whose count it matches (random); nil otherwise.
    public var rule: SelectionRule?
    /// What each retraining removes, sorted by task then position: one set for MTIF and
    /// task-level removal, one per seed for random removal, one empty set for the full data.
    public var removals: [[TrainExample]]
    /// The seed of each random draw, aligned with `removals`; empty for the other kinds.
    public var seeds: [UInt64]
    /// The train tasks a task-level strategy drops; empty for the other kinds.
    public var removedTasks: [Int]

    /// How many examples each retraining removes (the same for every seed of a random draw).
    public var removedCount: Int { removals.first?.count ?? 0 }
}

/// What one strategy's retrained models measured on the held-out split.
public struct StrategyOutcome: Sendable {
    public var strategy: SelectionStrategy
    /// One entry per retraining (per seed for random removal), each with one entry per task.
    public var runs: [[TaskMetrics]]
    /// How each retraining ended; nil where nothing was removed and ŵ was measured as it is.
    public var trainingReports: [TrainingReport?]

    /// The mean over runs of each task's loss.
    public var meanLoss: [Double] { perTask { $0.loss }.map(Statistics.mean) }
    /// The sample standard deviation over runs of each task's loss; NaN for a single run.
    public var lossStandardDeviation: [Double] { perTask { $0.loss }.map(Statistics.standardDeviation) }
    /// The mean over runs of each task's accuracy (NaN for regression tasks).
    public var meanAccuracy: [Double] { perTask { $0.accuracy }.map(Statistics.mean) }
    public var accuracyStandardDeviation: [Double] { perTask { $0.accuracy }.map(Statistics.standardDeviation) }

    /// `perTask(metric)[k][r]`: the metric of task k in run r.
    func perTask(_ metric: (TaskMetrics) -> Double) -> [[Double]] {
        guard let first = runs.first else { return [] }
        return first.indices.map { task in runs.map { metric($0[task]) } }
    }
}

/// A data-selection experiment against negative transfer (method.md §7): remove training data
/// chosen from the MTIF scores, retrain, and measure every task on a split that played no part
/// in scoring, beside the full-data model, random removal of as many examples from the same
/// candidates (several seeds) and the removal of whole harmful tasks.
///
/// Retraining starts at ŵ and uses the `Retrainer` given, normally with
/// `MultitaskTrainer.retraining(like:)`, the checkpoint's own optimiser. Identical removals
/// (two rules that pick the same examples) are retrained once.
public struct SelectionExperiment: Sendable {
    public let objective: MultitaskObjective
    /// ŵ.
    public let parameters: [Double]
    /// The full-data reference first, then for each rule its MTIF and random strategies, then
    /// the task-level strategy, then one strategy per requested set of tasks to drop.
    public let strategies: [SelectionStrategy]
    /// How the MTIF and random strategies remove examples; task-level removal always sets the
    /// weights to zero (a renormalised task without examples is undefined).
    public let convention: RemovalConvention

    /// Plans the strategies.
    ///
    /// - Parameters:
    ///   - selector: ranks the candidates; its scores must come from `objective` at `parameters`.
    ///   - rules: one MTIF strategy each, in this order.
    ///   - randomSeeds: one random draw per seed for each rule; none omits random removal.
    ///   - taskMatrix: K × K task-level MTIF, rows train task l, columns query task k.
    ///   - convention: normally the one the scores were computed for.
    ///   - droppedTaskSets: sets of train tasks to drop whatever the scores say, such as a task
    ///     known to conflict, to check that removing it helps at all.
    /// - Precondition: the dropped tasks are tasks of `objective`.
    public init(
        objective: MultitaskObjective, parameters: [Double], selector: ExampleSelector, rules: [SelectionRule],
        randomSeeds: [UInt64], taskMatrix: Matrix, convention: RemovalConvention, droppedTaskSets: [[Int]] = []
    ) {
        precondition(selector.scores.trainCounts == (0..<objective.taskCount).map(objective.trainCount))
        self.objective = objective
        self.parameters = parameters
        self.convention = convention
        let reference = SelectionStrategy(
            name: "full data", kind: .fullData, rule: nil, removals: [[]], seeds: [], removedTasks: [])
        let selections = rules.flatMap { rule in Self.strategies(for: rule, selector: selector, seeds: randomSeeds) }
        let harmfulTasks = selector.harmfulTasks(taskMatrix: taskMatrix)
        strategies =
            [reference] + selections + [Self.taskLevel(harmfulTasks, name: "drop harmful tasks", objective)]
            + droppedTaskSets.map { Self.taskLevel($0, name: "drop tasks", objective) }
    }

    /// The distinct non-empty removals, each retrained once.
    public var requests: [RetrainingRequest] {
        var seen = Set<RetrainingRequest>()
        return strategies.flatMap { strategy in
            strategy.removals.compactMap { removal in
                let request = self.request(strategy, removal)
                return removal.isEmpty || !seen.insert(request).inserted ? nil : request
            }
        }
    }

    /// Retrains every request and measures every strategy.
    ///
    /// - Parameters:
    ///   - retrainer: runs the retrainings, here or on a worker pool, from ŵ.
    ///   - split: where the metrics are measured; `.test` unless there is a reason.
    ///   - progress: advanced once per retraining (`requests.count` in all).
    /// - Throws: `UsageError` for a removal that empties a task under the renormalised
    ///   convention; `TrainingError` when a retraining does not converge; `ModelError` for a
    ///   task without examples in `split`.
    /// - Complexity: `requests.count` warm-started trainings and one forward pass over `split`
    ///   per retrained model.
    public func run(
        retrainer: any Retrainer, split: Split = .test, progress: ProgressReporter? = nil
    ) throws
        -> [StrategyOutcome]
    {
        let requests = self.requests
        let trained = try retrainer.retrain(requests, objective: objective, from: parameters, progress: progress)
        var measured: [RetrainingRequest: ([TaskMetrics], TrainingReport)] = [:]
        for (request, result) in zip(requests, trained) {
            let metrics = try TaskMetrics.measure(objective: objective, parameters: result.parameters, split: split)
            measured[request] = (metrics, result.report)
        }
        let full = try TaskMetrics.measure(objective: objective, parameters: parameters, split: split)
        return strategies.map { strategy in
            let results = strategy.removals.map { removal -> ([TaskMetrics], TrainingReport?) in
                guard !removal.isEmpty else { return (full, nil) }
                let (metrics, report) = measured[request(strategy, removal)]!  // every non-empty removal was retrained
                return (metrics, report)
            }
            return StrategyOutcome(strategy: strategy, runs: results.map(\.0), trainingReports: results.map(\.1))
        }
    }

    /// The share of a strategy's removed examples that comes from each train task, averaged
    /// over its runs; zeros when it removes nothing.
    public func removalShares(_ strategy: SelectionStrategy) -> [Double] {
        let shares = strategy.removals.map { removal in
            (0..<objective.taskCount).map { task in
                removal.isEmpty ? 0 : Double(removal.filter { $0.task == task }.count) / Double(removal.count)
            }
        }
        return (0..<objective.taskCount).map { task in Statistics.mean(shares.map { $0[task] }) }
    }

    // MARK: - Planning

    private func request(_ strategy: SelectionStrategy, _ removal: [TrainExample]) -> RetrainingRequest {
        RetrainingRequest(removing: removal, convention: strategy.kind == .taskLevel ? .weightZero : convention)
    }

    /// The MTIF strategy of `rule` and, with seeds, its random counterpart of the same count.
    private static func strategies(
        for rule: SelectionRule, selector: ExampleSelector, seeds: [UInt64]
    )
        -> [SelectionStrategy]
    {
        let chosen = selector.select(rule)
        let mtif = SelectionStrategy(
            name: "MTIF \(rule.label)", kind: .mtif, rule: rule, removals: [chosen], seeds: [], removedTasks: [])
        guard !seeds.isEmpty else { return [mtif] }
        let name: String
        switch rule {
        case .harmful: name = "random, as many as harmful"
        case .topPercent: name = "random \(rule.label.dropFirst("top ".count))"
        }
        let random = SelectionStrategy(
            name: name, kind: .random, rule: rule,
            removals: seeds.map { selector.random(count: chosen.count, seed: $0) }, seeds: seeds, removedTasks: [])
        return [mtif, random]
    }

    /// Drops every example of `tasks`, named such as `drop harmful tasks: task3` or `…: none`.
    private static func taskLevel(_ tasks: [Int], name: String, _ objective: MultitaskObjective) -> SelectionStrategy {
        precondition(tasks.allSatisfy { $0 >= 0 && $0 < objective.taskCount }, "No such task in \(tasks)")
        let tasks = Array(Set(tasks)).sorted()
        let names = tasks.map { objective.dataset.tasks[$0].name }
        return SelectionStrategy(
            name: "\(name): " + (names.isEmpty ? "none" : names.joined(separator: ", ")), kind: .taskLevel,
            rule: nil, removals: [RetrainingRequest.removingTasks(tasks, of: objective).removed], seeds: [],
            removedTasks: tasks)
    }
}
