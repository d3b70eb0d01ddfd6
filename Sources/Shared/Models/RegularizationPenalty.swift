/// The penalties Ω_k of method.md §1 on a parameter layout, with their gradients and Hessians.
///
/// Every Ω_k is a quadratic form ½·wᵀP_k·w in (θ_k, γ), so its gradient is P_k·w and its Hessian
/// P_k; `accumulateProduct` applies P_k to any vector and serves both. The value is computed from
/// the formula directly, so finite differences of the value check P_k independently.
///
/// - Hard sharing: P_k = λ on θ_k, λ/K on γ (diagonal).
/// - Soft sharing: P_k = [[(μ + λ)I, −μI], [−μI, μI]] on (θ_k, γ).
struct RegularizationPenalty: Sendable, Equatable {
    let layout: ParameterLayout
    let isSoftSharing: Bool
    let regularization: Regularization

    /// Ω_k(w).
    func value(task: Int, at w: [Double]) -> Double {
        let taskRange = layout.taskBlocks[task].range
        let sharedRange = layout.sharedBlock.range
        let lambda = regularization.l2
        let taskNorm = taskRange.reduce(0) { $0 + w[$1] * w[$1] }
        guard isSoftSharing else {
            let sharedNorm = sharedRange.reduce(0) { $0 + w[$1] * w[$1] }
            return 0.5 * lambda * (taskNorm + sharedNorm / Double(layout.taskCount))
        }
        let distance = zip(taskRange, sharedRange).reduce(0) { $0 + (w[$1.0] - w[$1.1]) * (w[$1.0] - w[$1.1]) }
        return 0.5 * regularization.coupling * distance + 0.5 * lambda * taskNorm
    }

    /// result ← result + P_k·v: ∇Ω_k(v) when v = w, the Hessian-vector product of Ω_k otherwise.
    func accumulateProduct(task: Int, _ v: [Double], into result: inout [Double]) {
        let taskRange = layout.taskBlocks[task].range
        let sharedRange = layout.sharedBlock.range
        let lambda = regularization.l2
        guard isSoftSharing else {
            for index in taskRange { result[index] += lambda * v[index] }
            let sharedScale = lambda / Double(layout.taskCount)
            for index in sharedRange { result[index] += sharedScale * v[index] }
            return
        }
        let mu = regularization.coupling
        for (taskIndex, sharedIndex) in zip(taskRange, sharedRange) {
            let difference = v[taskIndex] - v[sharedIndex]
            result[taskIndex] += mu * difference + lambda * v[taskIndex]
            result[sharedIndex] -= mu * difference
        }
    }

    /// Adds P_k to the blocks of method.md §4: its θ_k part to A_k, its (θ_k, γ) part to B_k and its
    /// γ part to C.
    func addHessianBlocks(task: Int, taskBlock: inout Matrix, couplingBlock: inout Matrix, sharedBlock: inout Matrix) {
        let lambda = regularization.l2
        guard isSoftSharing else {
            for index in 0..<taskBlock.rows { taskBlock[index, index] += lambda }
            for index in 0..<sharedBlock.rows { sharedBlock[index, index] += lambda / Double(layout.taskCount) }
            return
        }
        let mu = regularization.coupling
        for index in 0..<taskBlock.rows {
            taskBlock[index, index] += mu + lambda
            couplingBlock[index, index] -= mu
            sharedBlock[index, index] += mu
        }
    }
}
