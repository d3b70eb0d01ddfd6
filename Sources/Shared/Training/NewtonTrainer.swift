/// Newton's method with a backtracking line search: the trainer for convex objectives (models
/// whose outputs are linear in w, method.md §6 "for convex models the agreement must be near
/// perfect").
///
/// Each iteration solves (H + τI)·d = −∇L through a Cholesky factorisation of the dense Hessian,
/// with τ = 0 unless the factorisation fails; then τ starts at 1e-8·max(1, max Hᵢᵢ) and grows ten
/// times per retry (Levenberg damping), which also covers a Hessian that rounding makes slightly
/// indefinite. Convergence is quadratic near the minimum, so the default 1e-10 relative gradient
/// is reached in a handful of iterations.
///
/// - Complexity: per iteration one dense Hessian (direct for linear outputs, see
///   `MultitaskObjective.hessian(at:)`), one Cholesky factorisation (P³/3) and a few objective
///   values. For P beyond a few thousand use an iterative method.
public struct NewtonTrainer: Sendable {
    public var convergence: ConvergenceCriterion

    /// A trainer that stops at `convergence` (default: 1e-10 relative, at most 100 iterations).
    public init(convergence: ConvergenceCriterion = ConvergenceCriterion(maximumIterations: 100)) {
        self.convergence = convergence
    }

    /// Minimises `objective` from `start` (a warm start, or `model.makeInitialParameters`).
    ///
    /// - Parameters:
    ///   - observer: told after every Newton iteration (stage `.newton`).
    /// - Throws: `TrainingError` `.didNotConverge` at the iteration cap, `.lineSearchFailed` when no
    ///   step decreases L, `.nonFiniteObjective` for NaN or infinite values; each with the report
    ///   and the last finite iterate.
    public func train(
        _ objective: MultitaskObjective, from start: [Double], observer: TrainingObserver? = nil
    ) throws -> TrainedParameters {
        objective.checkParameterCount(start, "Starting point")
        var current = Iterate(objective, at: start)
        let initialNorm = current.gradientNorm
        var iterations = 0
        func report(converged: Bool) -> TrainingReport {
            TrainingReport(
                method: .newton, iterations: iterations, finalLoss: current.value, gradientNorm: current.gradientNorm,
                initialGradientNorm: initialNorm, converged: converged)
        }

        while !convergence.isMet(gradientNorm: current.gradientNorm, initialGradientNorm: initialNorm) {
            guard current.isFinite else {
                throw TrainingError(
                    .nonFiniteObjective, "Newton met a non-finite objective or gradient.",
                    report: report(converged: false), parameters: current.parameters)
            }
            guard iterations < convergence.maximumIterations else {
                throw TrainingError(
                    .didNotConverge,
                    "Newton did not converge in \(iterations) iterations: gradient norm \(current.gradientNorm), "
                        + "\(current.gradientNorm / initialNorm) of the initial. Raise the iteration cap or the tolerance.",
                    report: report(converged: false), parameters: current.parameters)
            }
            let direction = try newtonDirection(objective, at: current, report: report(converged: false))
            guard let next = BacktrackingLineSearch.search(objective, from: current, along: direction) else {
                throw TrainingError(
                    .lineSearchFailed,
                    "Newton's line search found no decrease at gradient norm \(current.gradientNorm); the tolerance "
                        + "may be below what rounding allows.",
                    report: report(converged: false), parameters: current.parameters)
            }
            current = next
            iterations += 1
            observer?(
                TrainingProgress(
                    stage: .newton, iteration: iterations, iterationLimit: convergence.maximumIterations,
                    gradientNorm: current.gradientNorm))
        }
        return TrainedParameters(parameters: current.parameters, report: report(converged: true))
    }

    /// d solving (H + τI)·d = −∇L, with the smallest τ on the schedule that Cholesky accepts.
    ///
    /// - Throws: `LinearAlgebraError.Code.outOfMemory` from LAPACK; `TrainingError` when thirty
    ///   damping steps (τ up to about 1e21·max Hᵢᵢ) do not make H + τI positive definite.
    private func newtonDirection(
        _ objective: MultitaskObjective, at current: Iterate, report: TrainingReport
    ) throws -> [Double] {
        let hessian = objective.hessian(at: current.parameters)
        let diagonal = (0..<hessian.rows).map { hessian[$0, $0] }
        var damping = 0.0
        let negativeGradient = current.gradient.map { -$0 }
        for _ in 0..<30 {
            var damped = hessian
            for index in 0..<damped.rows { damped[index, index] += damping }
            do {
                return try CholeskyFactorization(damped).solve(negativeGradient)
            } catch let error as LinearAlgebraError where error.code == .notPositiveDefinite {
                damping = damping == 0 ? 1e-8 * max(1, diagonal.max() ?? 1) : damping * 10
            }
        }
        throw TrainingError(
            .nonFiniteObjective, "The Hessian stayed indefinite under damping up to \(damping); it may hold NaN.",
            report: report)
    }
}
