import Foundation

/// Full-batch Adam followed by L-BFGS: the trainer for non-convex objectives (networks).
///
/// Adam's normalised steps make fast progress from a random start without a line search; L-BFGS
/// then converges superlinearly near a minimum to the tight gradient tolerance that influence
/// functions assume (∇L(ŵ) ≈ 0). Both stages are deterministic, so a seed fixes the whole run.
///
/// L-BFGS keeps the last `memory` pairs (s, y) with sᵀy > 1e-10·‖s‖·‖y‖; a pair that fails the
/// test (negative curvature, possible off a convex region) is skipped, and the search restarts
/// from −∇L whenever the two-loop direction is not a descent direction.
///
/// - Important: The minimum reached depends on the start. A warm start (LOO or subset retraining
///   from ŵ) stays in ŵ's basin as long as the perturbation is small, which is what retraining
///   comparisons need.
public struct AdamLBFGSTrainer: Sendable {
    /// Adam steps before L-BFGS; 0 goes straight to L-BFGS (sensible for warm starts).
    public var adamSteps: Int
    /// Adam's step size α; the moment decays are the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    public var learningRate: Double
    /// Number of (s, y) pairs L-BFGS keeps.
    public var memory: Int
    /// Applies to the L-BFGS stage; its iterations are counted separately from `adamSteps`.
    public var convergence: ConvergenceCriterion

    public init(
        adamSteps: Int = 500, learningRate: Double = 1e-2, memory: Int = 10,
        convergence: ConvergenceCriterion = ConvergenceCriterion(maximumIterations: 5000)
    ) {
        precondition(adamSteps >= 0 && learningRate > 0 && memory >= 1, "Invalid trainer configuration")
        self.adamSteps = adamSteps
        self.learningRate = learningRate
        self.memory = memory
        self.convergence = convergence
    }

    /// Minimises `objective` from `start`.
    ///
    /// The relative tolerance refers to the gradient at `start`, before Adam.
    ///
    /// - Parameters:
    ///   - observer: told after every Adam step (stage `.adam`) and L-BFGS iteration (`.lbfgs`).
    /// - Throws: `TrainingError` `.didNotConverge` at the L-BFGS iteration cap, `.lineSearchFailed`
    ///   when no step decreases L even from −∇L, `.nonFiniteObjective`; each with the report and
    ///   the last finite iterate.
    public func train(
        _ objective: MultitaskObjective, from start: [Double], observer: TrainingObserver? = nil
    ) throws -> TrainedParameters {
        objective.checkParameterCount(start, "Starting point")
        let initialNorm = euclideanNorm(objective.gradient(at: start))
        let afterAdam = runAdam(objective, from: start, observer: observer)
        var current = Iterate(objective, at: afterAdam)
        var history = CurvatureHistory(capacity: memory)
        var iterations = 0
        func report(converged: Bool) -> TrainingReport {
            TrainingReport(
                method: .adamThenLBFGS, iterations: adamSteps + iterations, finalLoss: current.value,
                gradientNorm: current.gradientNorm, initialGradientNorm: initialNorm, converged: converged)
        }

        while !convergence.isMet(gradientNorm: current.gradientNorm, initialGradientNorm: initialNorm) {
            guard current.isFinite else {
                throw TrainingError(
                    .nonFiniteObjective, "Training met a non-finite objective or gradient.",
                    report: report(converged: false), parameters: current.parameters)
            }
            guard iterations < convergence.maximumIterations else {
                throw TrainingError(
                    .didNotConverge,
                    "L-BFGS did not converge in \(iterations) iterations after \(adamSteps) Adam steps: gradient "
                        + "norm \(current.gradientNorm), \(current.gradientNorm / initialNorm) of the initial.",
                    report: report(converged: false), parameters: current.parameters)
            }
            guard let next = step(objective, from: current, history: &history) else {
                throw TrainingError(
                    .lineSearchFailed,
                    "L-BFGS found no decrease along −∇L at gradient norm \(current.gradientNorm).",
                    report: report(converged: false), parameters: current.parameters)
            }
            history.record(
                step: zip(next.parameters, current.parameters).map { $0 - $1 },
                gradientChange: zip(next.gradient, current.gradient).map { $0 - $1 })
            current = next
            iterations += 1
            observer?(
                TrainingProgress(
                    stage: .lbfgs, iteration: iterations, iterationLimit: convergence.maximumIterations,
                    gradientNorm: current.gradientNorm))
        }
        return TrainedParameters(parameters: current.parameters, report: report(converged: true))
    }

    /// One L-BFGS step, falling back to steepest descent (and a cleared history) when needed.
    private func step(
        _ objective: MultitaskObjective, from current: Iterate, history: inout CurvatureHistory
    ) -> Iterate? {
        let direction = history.direction(for: current.gradient)
        if dot(direction, current.gradient) < 0,
            let next = BacktrackingLineSearch.search(objective, from: current, along: direction)
        {
            return next
        }
        history.clear()
        let scale = 1 / max(current.gradientNorm, 1)
        return BacktrackingLineSearch.search(objective, from: current, along: current.gradient.map { -scale * $0 })
    }

    /// Full-batch Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − α·m̂/(√v̂ + ε).
    private func runAdam(_ objective: MultitaskObjective, from start: [Double], observer: TrainingObserver?) -> [Double]
    {
        let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8)
        var w = start
        var m = [Double](repeating: 0, count: w.count)
        var v = [Double](repeating: 0, count: w.count)
        for stepIndex in 0..<adamSteps {
            let g = objective.gradient(at: w)
            let correction1 = 1 - pow(beta1, Double(stepIndex + 1))
            let correction2 = 1 - pow(beta2, Double(stepIndex + 1))
            for index in w.indices {
                m[index] = beta1 * m[index] + (1 - beta1) * g[index]
                v[index] = beta2 * v[index] + (1 - beta2) * g[index] * g[index]
                w[index] -= learningRate * (m[index] / correction1) / ((v[index] / correction2).squareRoot() + epsilon)
            }
            observer?(
                TrainingProgress(
                    stage: .adam, iteration: stepIndex + 1, iterationLimit: adamSteps, gradientNorm: euclideanNorm(g)))
        }
        return w
    }
}

/// The (s, y) pairs of L-BFGS and its two-loop recursion.
struct CurvatureHistory {
    let capacity: Int
    private var steps: [[Double]] = []
    private var gradientChanges: [[Double]] = []

    init(capacity: Int) { self.capacity = capacity }

    /// Keeps the pair when sᵀy > 1e-10·‖s‖·‖y‖, dropping the oldest beyond capacity.
    mutating func record(step s: [Double], gradientChange y: [Double]) {
        guard dot(s, y) > 1e-10 * euclideanNorm(s) * euclideanNorm(y) else { return }
        steps.append(s)
        gradientChanges.append(y)
        if steps.count > capacity {
            steps.removeFirst()
            gradientChanges.removeFirst()
        }
    }

    mutating func clear() {
        steps.removeAll()
        gradientChanges.removeAll()
    }

    /// −H̃·g with H̃ the L-BFGS inverse-Hessian estimate, scaled initially by sᵀy/yᵀy of the last pair.
    func direction(for gradient: [Double]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for index in steps.indices.reversed() {
            alphas[index] = dot(steps[index], q) / dot(steps[index], gradientChanges[index])
            addScaled(gradientChanges[index], scale: -alphas[index], to: &q)
        }
        if let s = steps.last, let y = gradientChanges.last {
            let scale = dot(s, y) / dot(y, y)
            q = q.map { $0 * scale }
        }
        for index in steps.indices {
            let beta = dot(gradientChanges[index], q) / dot(steps[index], gradientChanges[index])
            addScaled(steps[index], scale: alphas[index] - beta, to: &q)
        }
        return q.map { -$0 }
    }
}
