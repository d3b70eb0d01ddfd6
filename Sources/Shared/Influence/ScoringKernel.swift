/// A unit of scoring work: a contiguous range of example positions, for one task or for a group
/// of tasks that share their inputs.
///
/// Tasks in the shared-inputs layout list the same inputs, so one shard scores the same
/// positions of every task in the group and the hard-sharing trunk runs once for all of them.
public struct ScoreShard: Sendable, Hashable, Codable {
    /// Train tasks l scored by this shard (one task in the disjoint layout).
    public var tasks: [Int]
    /// Positions among each task's training examples.
    public var examples: Range<Int>

    public init(tasks: [Int], examples: Range<Int>) {
        precondition(!tasks.isEmpty, "A shard scores at least one task")
        self.tasks = tasks
        self.examples = examples
    }

    /// Splits the training set of `objective` into shards of at most `size` example positions.
    ///
    /// The plan is a pure function of the dataset and `size`: every process that makes it gets
    /// the same shards in the same order.
    public static func plan(for objective: MultitaskObjective, size: Int) -> [ScoreShard] {
        precondition(size > 0, "Shard size must be positive")
        let groups = objective.inputGroups(tasks: Array(0..<objective.taskCount), split: objective.trainingSplit)
        return groups.flatMap { group in
            let count = objective.trainCount(task: group[0])
            return stride(from: 0, to: count, by: size).map {
                ScoreShard(tasks: group, examples: $0..<min($0 + size, count))
            }
        }
    }
}

/// The immutable inputs of scoring that every shard shares.
public struct ScoringContext: Sendable, Equatable {
    /// `P × Q`: column j is q_j = (H + δI)⁻¹∇V_j, the layout of the per-example kernel.
    public var queryColumns: Matrix
    public var convention: RemovalConvention
    /// n_l for each train task.
    public var trainCounts: [Int]
    /// `K × Q`: ḡ_lᵀq_j, the mean unweighted training gradient of task l against each query;
    /// used by `.renormalised` only.
    public var meanGradientDots: Matrix

    public init(queryColumns: Matrix, convention: RemovalConvention, trainCounts: [Int], meanGradientDots: Matrix) {
        precondition(meanGradientDots.rows == trainCounts.count, "One row of ḡ·q per train task")
        precondition(meanGradientDots.columns == queryColumns.columns, "One column of ḡ·q per query")
        self.queryColumns = queryColumns
        self.convention = convention
        self.trainCounts = trainCounts
        self.meanGradientDots = meanGradientDots
    }

    /// The context for inverse-Hessian products given as rows (`Q × P`).
    ///
    /// ḡ_l = ∇T_l − ∇Ω_l at unit example weights, so its dots need one task gradient per task.
    public static func make(
        objective: MultitaskObjective, parameters: [Double], inverseHessianProducts: Matrix,
        convention: RemovalConvention
    ) -> ScoringContext {
        let columns = inverseHessianProducts.transposed()
        var means = Matrix(rows: objective.taskCount, columns: columns.columns)
        if convention == .renormalised {
            for task in 0..<objective.taskCount {
                var mean = objective.taskGradient(task: task, at: parameters)
                addScaled(objective.penaltyGradient(task: task, at: parameters), scale: -1, to: &mean)
                let dots = matrixVectorProduct(columns, mean, transposingA: true)
                for query in 0..<dots.count { means[task, query] = dots[query] }
            }
        }
        let counts = (0..<objective.taskCount).map { objective.trainCount(task: $0) }
        return ScoringContext(
            queryColumns: columns, convention: convention, trainCounts: counts, meanGradientDots: means)
    }
}

/// Scores one shard against every query: one block of rows of the scores matrix per task.
///
/// The one function that turns gradients into scores, run unchanged by the single-process engine
/// and by every worker, so that distributed and local scores cannot drift apart:
///
///     weight-zero:   MTIF^k_li = −(1/n_l) q_kᵀ g_li                       (method.md §3)
///     renormalised:  MTIF^k_li = (1/(n_l − 1)) (ḡ_lᵀq_k − q_kᵀ g_li)
///
/// g_li is the unweighted gradient of the example's loss at ŵ.
///
/// - Returns: for each task of the shard, `shard.examples.count × Q`, row-major.
/// - Complexity: one forward and backward pass over the shard, plus 2·P·Q per example for the
///   contraction with the queries.
public func scoreShard(
    _ shard: ScoreShard, objective: MultitaskObjective, parameters: [Double], context: ScoringContext
) -> [Matrix] {
    let dots = objective.perExampleGradientDots(
        tasks: shard.tasks, examples: Array(shard.examples), split: objective.trainingSplit, at: parameters,
        against: context.queryColumns)
    return zip(shard.tasks, dots).map { task, taskDots in
        scaleToScores(taskDots, task: task, context: context)
    }
}

/// Applies the removal convention's formula to gᵀq dot products of task `task`.
func scaleToScores(_ dots: Matrix, task: Int, context: ScoringContext) -> Matrix {
    var scores = dots
    let count = Double(context.trainCounts[task])
    switch context.convention {
    case .weightZero:
        for index in scores.elements.indices { scores.elements[index] *= -1 / count }
    case .renormalised:
        precondition(count > 1, "Renormalised removal needs at least two examples in the task")
        for row in 0..<scores.rows {
            for query in 0..<scores.columns {
                scores[row, query] = (context.meanGradientDots[task, query] - dots[row, query]) / (count - 1)
            }
        }
    }
    return scores
}
