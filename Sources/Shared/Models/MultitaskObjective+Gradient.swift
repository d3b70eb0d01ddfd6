// The value and gradient of the objective, of each task's term T_k and of each penalty Ω_k.

extension MultitaskObjective {
    /// L(w), method.md (1).
    ///
    /// Tasks with the same inputs share one pass through a hard-sharing trunk.
    ///
    /// - Precondition: `w.count == parameterCount`.
    /// - Complexity: one forward pass over every training example.
    public func value(at w: [Double]) -> Double {
        checkParameterCount(w)
        var none: [Double]?
        return inputGroups(tasks: Array(0..<taskCount), split: trainingSplit).reduce(0) {
            $0 + accumulateGroupTerms($1, at: w, into: &none)
        }
    }

    /// ∇L(w).
    ///
    /// - Complexity: about three forward passes over every training example.
    public func gradient(at w: [Double]) -> [Double] {
        valueAndGradient(at: w).gradient
    }

    /// L(w) and ∇L(w) from one pass.
    ///
    /// Tasks with the same inputs share the trunk of hard sharing: one forward pass, their trunk
    /// deltas summed, one backward pass.
    public func valueAndGradient(at w: [Double]) -> (value: Double, gradient: [Double]) {
        checkParameterCount(w)
        var g: [Double]? = [Double](repeating: 0, count: parameterCount)
        let value = inputGroups(tasks: Array(0..<taskCount), split: trainingSplit).reduce(0) {
            $0 + accumulateGroupTerms($1, at: w, into: &g)
        }
        return (value, g!)
    }

    /// T_k(w) = (1/n_k) Σᵢ c_ki·ℓ_ki + Ω_k, task k's term of (1) (method.md §5).
    public func taskValue(task: Int, at w: [Double]) -> Double {
        checkParameterCount(w)
        var none: [Double]?
        return accumulateGroupTerms([task], at: w, into: &none)
    }

    /// ∇T_k(w), a P-vector that is zero outside θ_k and γ (method.md (5)).
    public func taskGradient(task: Int, at w: [Double]) -> [Double] {
        checkParameterCount(w)
        var g: [Double]? = [Double](repeating: 0, count: parameterCount)
        _ = accumulateGroupTerms([task], at: w, into: &g)
        return g!
    }

    /// Ω_k(w).
    public func penaltyValue(task: Int, at w: [Double]) -> Double {
        checkParameterCount(w)
        return penalty.value(task: task, at: w)
    }

    /// ∇Ω_k(w), the term method.md (5) subtracts from the summed example scores.
    public func penaltyGradient(task: Int, at w: [Double]) -> [Double] {
        checkParameterCount(w)
        var g = [Double](repeating: 0, count: parameterCount)
        penalty.accumulateProduct(task: task, w, into: &g)
        return g
    }
}
