/// Task-relatedness baselines that need no retraining (method.md §9): the cosine similarity of
/// the task gradients on the shared parameters, and lookahead task affinity. Both are K × K,
/// rows train task l, columns query task k, and both grow when l **helps** k (the opposite sign
/// of MTIF and of leave-one-task-out retraining).
///
/// **Shared coordinates.** The task gradients are compared where the tasks meet:
/// - hard sharing (a trunk, or the γ of linear hard sharing): g_l = ∇_γ L̄_l(ŵ), the gradient of
///   task l's mean training loss with respect to the shared block γ;
/// - soft sharing, whose losses do not read γ at all: g_l = ∇_θl L̄_l(ŵ), the gradient with
///   respect to task l's own network, which has γ's shape and sits in the same coordinates. It is
///   the direction in which task l pulls the centre γ, and through it every other task.
///
/// L̄_l(w) = (1/n_l) Σ_i ℓ_l(w; z_li) is the data term of T_l: every example weighted 1, no
/// penalty (Ω_l's gradient on γ is λγ/K for every task alike and would only inflate the
/// cosines).
public enum TaskAffinity {
    /// g_l for every task, one row each: `K × p`, p = |γ| (method.md §9).
    ///
    /// - Throws: `ModelError.Code.emptyTask` when a task has no examples in the training split.
    /// - Complexity: K passes over the training split.
    public static func sharedGradients(objective: MultitaskObjective, parameters: [Double]) throws -> Matrix {
        let layout = objective.model.layout
        let width = layout.sharedBlock.count
        var elements: [Double] = []
        elements.reserveCapacity(objective.taskCount * width)
        for task in 0..<objective.taskCount {
            let gradient = try objective.meanLossGradient(task: task, split: objective.trainingSplit, at: parameters)
            elements += gradient[sharedCoordinates(of: task, layout: layout, isSoft: isSoft(objective))]
        }
        return Matrix(rows: objective.taskCount, columns: width, elements: elements)
    }

    /// The gradient cosine (method.md §9):
    ///
    ///     cos_lk = g_lᵀ g_k / (‖g_l‖ ‖g_k‖)
    ///
    /// Symmetric, 1 on the diagonal, in [−1, 1]: > 0 when a step that lowers task l's training
    /// loss also lowers task k's, to first order. NaN where a gradient is zero, which is every
    /// entry for a model without shared parameters (`hard:none`).
    ///
    /// - Throws: as `sharedGradients`.
    /// - Complexity: K passes over the training split and a K × K Gram matrix of p-vectors.
    public static func gradientCosine(objective: MultitaskObjective, parameters: [Double]) throws -> Matrix {
        let gradients = try sharedGradients(objective: objective, parameters: parameters)
        let gram = matrixProduct(gradients, gradients.transposed())
        let norms = (0..<gram.rows).map { gram[$0, $0].squareRoot() }
        var cosines = Matrix(rows: gram.rows, columns: gram.columns)
        for l in 0..<gram.rows {
            for k in 0..<gram.columns {
                let scale = norms[l] * norms[k]
                cosines[l, k] = scale > 0 ? gram[l, k] / scale : .nan
            }
        }
        return cosines
    }

    /// Lookahead task affinity after Fifty et al. (2021) (method.md §9): one gradient step of size
    /// η on task l's mean training loss, taken on the shared coordinates only, and the relative
    /// decrease of task k's validation loss it causes:
    ///
    ///     Z_lk = 1 − V_k(w′_lk) / V_k(ŵ)
    ///
    /// with, in hard sharing, w′_lk = ŵ except γ′ = γ̂ − η g_l (the same point for every k), and
    /// in soft sharing w′_lk = ŵ except θ_k′ = θ̂_k − η g_l: task l's own-network gradient applied
    /// to task k's network (for l = k the task's own step). In hard sharing, where L̄_l touches
    /// only θ_l and γ and V_k (k ≠ l) does not read θ_l, the off-diagonal entries equal those of
    /// the full step ŵ − η∇L̄_l(ŵ); on the diagonal the head stays put, as in Fifty et al.
    ///
    /// Z > 0: the step on task l lowers task k's loss (l helps k). Linear in η for small η, so
    /// the ranking of the pairs does not depend on η there.
    ///
    /// - Parameters:
    ///   - step: η > 0.
    /// - Throws: as `sharedGradients`; `ModelError.Code.emptyTask` when a task has no validation
    ///   examples.
    /// - Complexity: K training passes, then K validation passes per train task (hard sharing
    ///   evaluates every task at one point per l).
    public static func lookahead(objective: MultitaskObjective, parameters: [Double], step: Double) throws -> Matrix {
        precondition(step > 0 && step.isFinite, "The lookahead step must be positive and finite")
        let gradients = try sharedGradients(objective: objective, parameters: parameters)
        let layout = objective.model.layout
        let tasks = 0..<objective.taskCount
        let before = try tasks.map { try objective.meanLoss(task: $0, split: .validation, at: parameters) }
        var affinity = Matrix(rows: objective.taskCount, columns: objective.taskCount)
        for l in tasks {
            for k in tasks {
                var moved = parameters
                let range = isSoft(objective) ? layout.taskBlocks[k].range : layout.sharedBlock.range
                for (offset, index) in range.enumerated() { moved[index] -= step * gradients[l, offset] }
                affinity[l, k] = 1 - (try objective.meanLoss(task: k, split: .validation, at: moved)) / before[k]
            }
        }
        return affinity
    }

    /// The default η of `lookahead`: Adam's learning rate when mtif trains a network, as Fifty et
    /// al. take the training step. At ŵ the task gradients on the shared parameters are small
    /// (they balance each other and the penalty), so the affinities stay in their linear regime:
    /// on Yeast's 103→16 trunk they are of order 1e-5, still ten orders above rounding.
    public static let defaultLookaheadStep = 0.01

    /// Where g_l lives in w: γ in hard sharing, θ_l in soft sharing.
    static func sharedCoordinates(of task: Int, layout: ParameterLayout, isSoft: Bool) -> Range<Int> {
        isSoft ? layout.taskBlocks[task].range : layout.sharedBlock.range
    }

    private static func isSoft(_ objective: MultitaskObjective) -> Bool {
        objective.model.architecture.isSoftSharing
    }
}
