// The value and gradient of the objective, of each task's term T_k and of each penalty Ω_k.

extension MultitaskObjective {
    /// L(w), MTIF.md (1).
    ///
    /// - Precondition: `w.count == parameterCount`.
    /// - Complexity: one forward pass over every training example.
    public func value(at w: [Double]) -> Double {
        (0..<taskCount).reduce(0) { $0 + taskValue(task: $1, at: w) }
    }

    /// ∇L(w).
    ///
    /// - Complexity: about three forward passes over every training example.
    public func gradient(at w: [Double]) -> [Double] {
        valueAndGradient(at: w).gradient
    }

    /// L(w) and ∇L(w) from one pass.
    public func valueAndGradient(at w: [Double]) -> (value: Double, gradient: [Double]) {
        checkParameterCount(w)
        var g = [Double](repeating: 0, count: parameterCount)
        var value = 0.0
        for task in 0..<taskCount {
            value += accumulateTaskTerm(task: task, at: w, into: &g)
        }
        return (value, g)
    }

    /// T_k(w) = (1/n_k) Σᵢ c_ki·ℓ_ki + Ω_k, task k's term of (1) (MTIF.md §5).
    public func taskValue(task: Int, at w: [Double]) -> Double {
        checkParameterCount(w)
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        var sum = 0.0
        forEachBatch(task: task, split: trainingSplit, scales: trainingScales(task: task)) { batch in
            let outputs = network.forward(batch.features, parameters: parameters, keepingSlopes: false).outputs
            let losses = network.loss.values(outputs: outputs, targets: batch.targets[...])
            sum += zip(losses, batch.scales).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return sum + penalty.value(task: task, at: w)
    }

    /// ∇T_k(w), a P-vector that is zero outside θ_k and γ (MTIF.md (5)).
    public func taskGradient(task: Int, at w: [Double]) -> [Double] {
        checkParameterCount(w)
        var g = [Double](repeating: 0, count: parameterCount)
        _ = accumulateTaskTerm(task: task, at: w, into: &g)
        return g
    }

    /// Ω_k(w).
    public func penaltyValue(task: Int, at w: [Double]) -> Double {
        checkParameterCount(w)
        return penalty.value(task: task, at: w)
    }

    /// ∇Ω_k(w), the term MTIF.md (5) subtracts from the summed example scores.
    public func penaltyGradient(task: Int, at w: [Double]) -> [Double] {
        checkParameterCount(w)
        var g = [Double](repeating: 0, count: parameterCount)
        penalty.accumulateProduct(task: task, w, into: &g)
        return g
    }

    /// g ← g + ∇T_k(w); returns T_k(w).
    func accumulateTaskTerm(task: Int, at w: [Double], into g: inout [Double]) -> Double {
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        var layerGradients = network.zeroParameters()
        var sum = 0.0
        forEachBatch(task: task, split: trainingSplit, scales: trainingScales(task: task)) { batch in
            sum += network.accumulateLossGradient(
                features: batch.features, targets: batch.targets[...], scales: batch.scales, parameters: parameters,
                into: &layerGradients)
        }
        network.scatterAdd(layerGradients, into: &g)
        penalty.accumulateProduct(task: task, w, into: &g)
        return sum + penalty.value(task: task, at: w)
    }
}
