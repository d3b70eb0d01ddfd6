/// The K × K task-level MTIF matrix: the predicted effect of removing train task l entirely on
/// query task k's validation loss (method.md §5).
///
///     MTIF^k_(−l) = −q_kᵀ ∇T_l(ŵ),   T_l = (1/n_l) Σ_i ℓ_li + Ω_l
///                 = −q_kᵀ ḡ_l − q_kᵀ ∇Ω_l
///
/// With weight-zero scores the first term is the column sum of task l's rows. Rows are train
/// tasks l, columns query tasks k; entry > 0 means task l harms task k.
public struct TaskRelatedness: Sendable, Equatable {
    /// `K × K`, row-major: [l, k].
    public var values: Matrix

    public init(values: Matrix) {
        precondition(values.isSquare, "The task matrix is K × K")
        self.values = values
    }

    /// Computes the matrix from the mean-gradient and penalty-gradient dot products.
    ///
    /// - Parameters:
    ///   - meanGradientDots: `K × K`, [l, k] = ḡ_lᵀq_k for q_k the product for task k's
    ///     validation loss.
    ///   - penaltyGradientDots: `K × K`, [l, k] = ∇Ω_l(ŵ)ᵀq_k.
    public init(meanGradientDots: Matrix, penaltyGradientDots: Matrix) {
        precondition(meanGradientDots.isSquare && penaltyGradientDots.rows == meanGradientDots.rows, "Both are K × K")
        var values = meanGradientDots
        for index in values.elements.indices {
            values.elements[index] = -meanGradientDots.elements[index] - penaltyGradientDots.elements[index]
        }
        self.init(values: values)
    }

    /// ḡ_lᵀq_k for every train task l and every task-validation query among the scores' columns,
    /// recovered from weight-zero scores: Σ_i MTIF^k_li = −ḡ_lᵀq_k.
    ///
    /// - Returns: `K × K`; [l, k] for query task k. Precondition: weight-zero scores with one
    ///   `.taskValidationLoss` column for every task.
    public static func meanGradientDots(fromWeightZero scores: InfluenceScores) -> Matrix {
        precondition(scores.mode == .weightZero, "Column sums recover ḡ·q only for weight-zero scores")
        let taskCount = scores.trainCounts.count
        var dots = Matrix(rows: taskCount, columns: taskCount)
        for queryTask in 0..<taskCount {
            guard let column = scores.queries.firstIndex(of: .taskValidationLoss(task: queryTask)) else {
                preconditionFailure("No task-validation query for task \(queryTask)")
            }
            for trainTask in 0..<taskCount {
                dots[trainTask, queryTask] = -scores.rows(ofTask: trainTask).reduce(0) {
                    $0 + scores.values[$1, column]
                }
            }
        }
        return dots
    }
}
