/// What scoring needs from a trained model at ŵ: per-example training gradients, seen only
/// through their dot products with query vectors.
///
/// Implementations compute g_liᵀq_j for a block of task l's training examples with matrix
/// products (forward pass, backward pass, then a contraction per layer) without materialising
/// the `examples × P` gradient matrix.
public protocol TrainingGradientSource: Sendable {
    /// P.
    var parameterCount: Int { get }
    /// K.
    var taskCount: Int { get }
    /// n_l, the number of training examples of task l.
    func trainCount(task: Int) -> Int
    /// g_liᵀq_j for i in `examples` (positions among task l's training examples) and each row q_j
    /// of `vectors` (`Q × P`); returns `examples.count × Q`, row-major.
    func gradientDots(task: Int, examples: Range<Int>, vectors: Matrix) -> Matrix
}

/// The immutable inputs of scoring that every shard shares: the inverse-Hessian products and,
/// for renormalised removal, ḡ_lᵀq_j for every train task l.
public struct ScoringContext: Sendable, Equatable {
    /// `Q × P`: row j is q_j = (H + δI)⁻¹∇V_j.
    public var inverseHessianProducts: Matrix
    public var mode: RemovalConvention
    /// n_l for each train task.
    public var trainCounts: [Int]
    /// `K × Q`: ḡ_lᵀq_j (the mean training gradient of task l against each query). Needed only
    /// for `.renormalised`; zero rows otherwise.
    public var meanGradientDots: Matrix

    public init(inverseHessianProducts: Matrix, mode: RemovalConvention, trainCounts: [Int], meanGradientDots: Matrix) {
        precondition(meanGradientDots.rows == trainCounts.count, "One row of ḡ·q per train task")
        precondition(meanGradientDots.columns == inverseHessianProducts.rows, "One column of ḡ·q per query")
        self.inverseHessianProducts = inverseHessianProducts
        self.mode = mode
        self.trainCounts = trainCounts
        self.meanGradientDots = meanGradientDots
    }

    /// Builds the context, computing ḡ_lᵀq_j by streaming every task's examples when renormalised
    /// removal is asked for.
    ///
    /// - Complexity: for `.renormalised`, one pass of `gradientDots` over the training set.
    public static func make(
        source: some TrainingGradientSource, inverseHessianProducts: Matrix, mode: RemovalConvention,
        blockSize: Int = 4096
    ) -> ScoringContext {
        let counts = (0..<source.taskCount).map { source.trainCount(task: $0) }
        var means = Matrix(rows: counts.count, columns: inverseHessianProducts.rows)
        if mode == .renormalised {
            for (task, count) in counts.enumerated() {
                for block in stride(from: 0, to: count, by: blockSize) {
                    let dots = source.gradientDots(
                        task: task, examples: block..<min(block + blockSize, count), vectors: inverseHessianProducts)
                    for row in 0..<dots.rows {
                        for query in 0..<dots.columns { means[task, query] += dots[row, query] / Double(count) }
                    }
                }
            }
        }
        return ScoringContext(
            inverseHessianProducts: inverseHessianProducts, mode: mode, trainCounts: counts, meanGradientDots: means)
    }
}

/// Scores one shard: a contiguous block of one train task's examples against every query.
///
/// The one function that turns gradients into scores, run unchanged by the single-process engine
/// and by every worker, so that distributed and local scores cannot drift apart:
///
///     weight-zero:   MTIF^k_li = −(1/n_l) q_kᵀ g_li                       (method.md §3)
///     renormalised:  MTIF^k_li = (1/(n_l − 1)) (ḡ_lᵀq_k − q_kᵀ g_li)
///
/// - Returns: `examples.count × Q`, row-major; rows are train examples, columns queries.
/// - Complexity: one `gradientDots` call on the shard.
public func scoreShard(
    task: Int, examples: Range<Int>, source: some TrainingGradientSource, context: ScoringContext
) -> Matrix {
    var scores = source.gradientDots(task: task, examples: examples, vectors: context.inverseHessianProducts)
    let count = Double(context.trainCounts[task])
    switch context.mode {
    case .weightZero:
        for index in scores.elements.indices { scores.elements[index] *= -1 / count }
    case .renormalised:
        precondition(count > 1, "Renormalised removal needs at least two examples in the task")
        for row in 0..<scores.rows {
            for query in 0..<scores.columns {
                scores[row, query] = (context.meanGradientDots[task, query] - scores[row, query]) / (count - 1)
            }
        }
    }
    return scores
}
