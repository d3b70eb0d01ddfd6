/// The K × K task-level MTIF matrix: the predicted effect of removing train task l entirely on
/// query task k's validation loss (method.md §5).
///
///     MTIF^k_(−l) = −q_kᵀ ∇T_l(ŵ),   T_l = (1/n_l) Σ_i ℓ_li + Ω_l
///                 = Σ_i MTIF^k_li − q_kᵀ ∇Ω_l        (weight-zero instance scores)
///
/// Rows are train tasks l, columns query tasks k; an entry > 0 means task l harms task k. The
/// diagonal (a task removing its own data) is reported but is far outside the first-order
/// regime; between-task entries are the relatedness.
public struct TaskRelatedness: Sendable, Equatable {
    /// `K × K`, row-major: [l, k].
    public var values: Matrix

    public init(values: Matrix) {
        precondition(values.isSquare, "The task matrix is K × K")
        self.values = values
    }

    /// Computes −q_kᵀ∇T_l for every pair.
    ///
    /// - Parameters:
    ///   - taskQueryColumns: `P × K`, column k = (H + δI)⁻¹∇V_k.
    /// - Complexity: K task gradients and a `K × P` by `P × K` product.
    public init(objective: MultitaskObjective, parameters: [Double], taskQueryColumns: Matrix) {
        precondition(taskQueryColumns.columns == objective.taskCount, "One query column per task")
        let gradients = Matrix(
            rows: objective.taskCount, columns: objective.parameterCount,
            elements: (0..<objective.taskCount).flatMap { objective.taskGradient(task: $0, at: parameters) })
        self.init(values: matrixProduct(gradients, taskQueryColumns, scale: -1))
    }
}
