/// Whom a data selection serves: one query task, or the sum of every task's validation loss.
public enum SelectionTarget: Sendable, Hashable {
    /// Query task k: an example's harm is its score for the query V_k.
    case task(Int)
    /// Every task: an example's harm is the sum of its scores for V_1, …, V_K, its predicted
    /// effect on Σ_k V_k.
    case allTasks
}

/// Where the examples a selection may remove come from.
public enum CandidatePool: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only tasks other than the target (needs a single target task): the target's own data is
    /// kept, so a selection can only cut transfer from the others.
    case otherTasks = "other"
    /// Every training example, the target's own included.
    case allTasks = "all"
}

/// How many of the candidates, ranked by harm, a selection removes.
public enum SelectionRule: Sendable, Hashable {
    /// Every candidate whose harm is > 0 (removing it is predicted to lower the target's loss).
    case harmful
    /// The round(percent/100 · pool size) candidates of largest harm, whatever its sign.
    case topPercent(Double)

    /// A short name such as `harmful` or `top 5%`.
    public var label: String {
        switch self {
        case .harmful: "harmful"
        case .topPercent(let percent):
            percent == percent.rounded() && abs(percent) < 1e15 ? "top \(Int(percent))%" : "top \(percent)%"
        }
    }
}

/// Chooses training examples to remove from their MTIF scores (method.md §5, §7).
///
/// The harm of training example (l, i) is its score for the target's task query V_k, or for
/// every task the sum Σ_k MTIF^k_li, the first-order predicted drop of Σ_k V_k when the example
/// is removed. Sign convention of the scores: harm > 0 means removing the example is predicted
/// to lower the target's loss. By §5 the predicted effect of removing a set is the sum of the
/// harms of its members, so the examples of largest harm are the first-order best removals.
public struct ExampleSelector: Sendable {
    public let scores: InfluenceScores
    public let target: SelectionTarget
    public let pool: CandidatePool
    /// The candidates in row order (train task, then position), with their harm.
    public let candidates: [(example: TrainExample, harm: Double)]

    /// - Throws: `UsageError` when the scores lack a task-validation-loss column that the target
    ///   needs, the target task is out of range, or `pool` is `.otherTasks` for every task.
    public init(scores: InfluenceScores, target: SelectionTarget, pool: CandidatePool) throws {
        let columns = try Self.harmColumns(scores: scores, target: target, pool: pool)
        self.scores = scores
        self.target = target
        self.pool = pool
        self.candidates = (0..<scores.values.rows).compactMap { row in
            let example = scores.example(atRow: row)
            if case .task(let k) = target, pool == .otherTasks, example.task == k { return nil }
            return (example, columns.reduce(0) { $0 + scores.values[row, $1] })
        }
    }

    /// The examples that the rule removes, sorted by task then position.
    public func select(_ rule: SelectionRule) -> [TrainExample] {
        switch rule {
        case .harmful:
            return candidates.filter { $0.harm > 0 }.map(\.example)
        case .topPercent(let percent):
            let count = Self.count(percent: percent, of: candidates.count)
            let ranked = candidates.indices.sorted { a, b in
                candidates[a].harm != candidates[b].harm ? candidates[a].harm > candidates[b].harm : a < b
            }
            return ranked.prefix(count).sorted().map { candidates[$0].example }
        }
    }

    /// `count` candidates drawn uniformly without replacement, sorted by task then position.
    ///
    /// A partial Fisher–Yates shuffle of the candidate list driven by `SeededGenerator(seed:)`:
    /// the same seed draws the same examples on every machine. Each pick reduces a 64-bit draw
    /// modulo the number left, a bias below n/2⁶⁴.
    ///
    /// - Precondition: 0 ≤ count ≤ the number of candidates.
    public func random(count: Int, seed: UInt64) -> [TrainExample] {
        precondition(count >= 0 && count <= candidates.count, "Cannot draw \(count) of \(candidates.count) candidates")
        var generator = SeededGenerator(seed: seed)
        var order = Array(candidates.indices)
        for position in 0..<count {
            let pick = position + Int(generator.next() % UInt64(order.count - position))
            order.swapAt(position, pick)
        }
        return order.prefix(count).sorted().map { candidates[$0].example }
    }

    /// The train tasks whose task-level MTIF says they harm the target (method.md §5): l ≠ k
    /// with `taskMatrix[l, k] > 0` for one target task; for every task, the tasks l whose row sum
    /// Σ_k `taskMatrix[l, k]` (the predicted effect of dropping l on Σ_k V_k) is > 0.
    ///
    /// - Parameters:
    ///   - taskMatrix: K × K, rows train task l (removed), columns query task k.
    public func harmfulTasks(taskMatrix: Matrix) -> [Int] {
        precondition(
            taskMatrix.rows == scores.trainCounts.count && taskMatrix.isSquare, "The task matrix is K × K")
        return (0..<taskMatrix.rows).filter { l in
            switch target {
            case .task(let k): l != k && taskMatrix[l, k] > 0
            case .allTasks: taskMatrix.row(l).reduce(0, +) > 0
            }
        }
    }

    /// The number of examples a rule of `percent` takes from `size` candidates.
    public static func count(percent: Double, of size: Int) -> Int {
        min(size, max(0, Int((percent / 100 * Double(size)).rounded())))
    }

    /// The score columns whose sum is the harm.
    private static func harmColumns(
        scores: InfluenceScores, target: SelectionTarget, pool: CandidatePool
    ) throws
        -> [Int]
    {
        let taskCount = scores.trainCounts.count
        let tasks: [Int]
        switch target {
        case .task(let k):
            guard k >= 0, k < taskCount else {
                throw UsageError("The selection's target task \(k) is outside the run's \(taskCount) tasks.")
            }
            tasks = [k]
        case .allTasks:
            guard pool == .allTasks else {
                throw UsageError(
                    "Removing from other tasks needs one target task; for every task the candidates are all tasks.")
            }
            tasks = Array(0..<taskCount)
        }
        return try tasks.map { task in
            guard let column = scores.queries.firstIndex(of: .taskValidationLoss(task: task)) else {
                throw UsageError(
                    "The scores have no column for the validation loss of task \(task); selection needs the task "
                        + "queries that `mtif score` always writes first.")
            }
            return column
        }
    }
}
