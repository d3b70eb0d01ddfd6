/// (H + δI)⁻¹ v by LiSSA's recursion, for comparison with the literature.
///
/// With a scale s above the largest eigenvalue of H + δI, the Neumann series of
/// (H + δI)⁻¹ = s⁻¹ Σ_j (I − (H + δI)/s)^j is summed by the recursion
///
///     h_0 = v,   h_j = v + h_{j−1} − (H + δI) h_{j−1} / s,   q = h_J / s.
///
/// This implementation uses exact full-data operator products, so it is deterministic (the
/// stochastic original samples a minibatch per step). It converges linearly with rate
/// 1 − λ_min/s: slowly for ill-conditioned H, which is why CG is the default.
///
/// - Complexity: one operator product per step and query, up to `depth` steps.
public enum LiSSA {
    /// LiSSA's settings.
    public struct Configuration: Sendable, Codable, Equatable {
        /// s; nil estimates 1.1·λ_max(H + δI) by power iteration.
        public var scale: Double?
        /// Steps J at most.
        public var depth: Int
        /// Stop when ‖h_j − h_{j−1}‖ ≤ tolerance·‖h_j‖.
        public var tolerance: Double

        public init(scale: Double? = nil, depth: Int = 10_000, tolerance: Double = 1e-10) {
            self.scale = scale
            self.depth = depth
            self.tolerance = tolerance
        }
    }

    /// Solves for each row of `rightHandSides` (`queries × P`).
    ///
    /// - Throws: `InfluenceError.Code.solverDidNotConverge` when the recursion has not settled
    ///   within `depth` steps.
    public static func solve(
        _ curvatureOperator: some SymmetricOperator, rightHandSides: Matrix, damping: Double,
        configuration: Configuration = .init(), curvature: Curvature = .hessian
    ) throws -> InverseHessianProducts {
        let damped = DampedOperator(curvatureOperator, damping: damping)
        let ((h, scale, steps), seconds) = try timed {
            let scale = try configuration.scale ?? 1.1 * largestEigenvalue(of: damped)
            var h = rightHandSides
            for step in 1...max(configuration.depth, 1) {
                let product = try damped.apply(toRows: h)
                var change = 0.0
                var norm = 0.0
                for index in h.elements.indices {
                    let next = rightHandSides.elements[index] + h.elements[index] - product.elements[index] / scale
                    change += (next - h.elements[index]) * (next - h.elements[index])
                    norm += next * next
                    h.elements[index] = next
                }
                if change <= configuration.tolerance * configuration.tolerance * norm { return (h, scale, step) }
            }
            throw InfluenceError(
                .solverDidNotConverge,
                "LiSSA did not settle within \(configuration.depth) steps (scale \(scale)). Raise --depth, add "
                    + "damping, or use --solver cg.")
        }
        var vectors = h
        for index in vectors.elements.indices { vectors.elements[index] /= scale }
        let residuals = try relativeResiduals(of: damped, solutions: vectors, rightHandSides: rightHandSides)
        let report = SolveReport(
            method: .lissa, curvature: curvature, damping: damping,
            iterations: Array(repeating: steps, count: rightHandSides.rows), relativeResiduals: residuals,
            seconds: seconds)
        return InverseHessianProducts(vectors: vectors, report: report)
    }

    /// λ_max by power iteration from a fixed start, 50 steps: enough for a scale with 10% slack.
    static func largestEigenvalue(of matrixOperator: some SymmetricOperator) throws -> Double {
        var generator = SeededGenerator(seed: 0x5EED)
        var v = (0..<matrixOperator.dimension).map { _ in generator.nextNormal() }
        var estimate = 0.0
        for _ in 0..<50 {
            let norm = euclideanNorm(v)
            v = v.map { $0 / norm }
            let product = try matrixOperator.apply(v)
            estimate = dot(v, product)
            v = product
        }
        return max(estimate, .leastNormalMagnitude)
    }
}
