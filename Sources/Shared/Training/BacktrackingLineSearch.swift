/// The state of an optimiser at one iterate.
struct Iterate {
    var parameters: [Double]
    var value: Double
    var gradient: [Double]
    var gradientNorm: Double

    init(parameters: [Double], value: Double, gradient: [Double]) {
        self.parameters = parameters
        self.value = value
        self.gradient = gradient
        self.gradientNorm = euclideanNorm(gradient)
    }

    var isFinite: Bool { value.isFinite && gradientNorm.isFinite }

    /// The iterate at `parameters` of `objective`.
    init(_ objective: MultitaskObjective, at parameters: [Double]) {
        let (value, gradient) = objective.valueAndGradient(at: parameters)
        self.init(parameters: parameters, value: value, gradient: gradient)
    }
}

/// Backtracking along a descent direction until the Armijo condition
/// L(w + t·d) ≤ L(w) + c·t·∇Lᵀd holds, halving t from 1.
///
/// Near a minimum the predicted decrease falls below the rounding of L itself (about 1e-16·|L|
/// per term summed), and the Armijo test becomes a coin flip. A trial whose value differs from
/// L(w) by less than `roundingBand` is therefore judged by its gradient: it is accepted when the
/// gradient norm went down. This is what lets Newton reach gradients of 1e-13.
enum BacktrackingLineSearch {
    /// c in the Armijo condition: accept any step that achieves a small part of the linear decrease.
    static let sufficientDecrease = 1e-4
    /// 2⁻⁶⁰ ≈ 1e-18: beyond this the step is below the resolution of w.
    static let maximumHalvings = 60

    /// The accepted iterate, or nil when no step length worked.
    ///
    /// - Precondition: `direction` has the length of w.
    static func search(_ objective: MultitaskObjective, from current: Iterate, along direction: [Double]) -> Iterate? {
        let slope = dot(current.gradient, direction)
        let band = 1e-12 * (1 + abs(current.value))
        var step = 1.0
        for _ in 0..<maximumHalvings {
            var trial = current.parameters
            addScaled(direction, scale: step, to: &trial)
            let value = objective.value(at: trial)
            if value.isFinite, value <= current.value + sufficientDecrease * step * slope {
                return Iterate(objective, at: trial)
            }
            if value.isFinite, abs(value - current.value) <= band {
                let candidate = Iterate(objective, at: trial)
                if candidate.gradientNorm < current.gradientNorm { return candidate }
            }
            step *= 0.5
        }
        return nil
    }
}
