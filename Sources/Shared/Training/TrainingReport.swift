/// Which optimiser produced a parameter vector.
public enum TrainingMethod: String, Sendable, Hashable, Codable {
    /// Newton's method with a backtracking line search, for convex objectives.
    case newton
    /// Full-batch Adam to get near a minimum, then L-BFGS to converge tightly.
    case adamThenLBFGS = "adam+l-bfgs"
}

/// How a training run ended: the record stored beside every trained parameter vector.
public struct TrainingReport: Sendable, Hashable, Codable {
    public var method: TrainingMethod
    /// Iterations of every stage together (Adam steps plus L-BFGS or Newton steps).
    public var iterations: Int
    /// L(ŵ).
    public var finalLoss: Double
    /// ‖∇L(ŵ)‖₂.
    public var gradientNorm: Double
    /// ‖∇L(w₀)‖₂ at the starting point.
    public var initialGradientNorm: Double
    /// ‖∇L(ŵ)‖ / ‖∇L(w₀)‖ (0 when the start was already stationary).
    public var relativeGradientNorm: Double
    /// Whether the gradient tolerance was met.
    public var converged: Bool

    public init(
        method: TrainingMethod, iterations: Int, finalLoss: Double, gradientNorm: Double, initialGradientNorm: Double,
        converged: Bool
    ) {
        self.method = method
        self.iterations = iterations
        self.finalLoss = finalLoss
        self.gradientNorm = gradientNorm
        self.initialGradientNorm = initialGradientNorm
        self.relativeGradientNorm = initialGradientNorm > 0 ? gradientNorm / initialGradientNorm : 0
        self.converged = converged
    }
}

/// The optimiser stage a progress notification comes from.
public enum TrainingStage: String, Sendable, Hashable, Codable {
    case newton
    case adam
    case lbfgs = "l-bfgs"
}

/// Where a running optimiser is: sent to a `TrainingObserver` after every iteration.
public struct TrainingProgress: Sendable, Hashable {
    public var stage: TrainingStage
    /// Iterations of this stage done so far, from 1.
    public var iteration: Int
    /// The most iterations the stage may take (Adam's step count, or the convergence cap).
    public var iterationLimit: Int
    /// ‖∇L‖₂ at the new iterate.
    public var gradientNorm: Double
}

/// Called by the trainers after every iteration, on the training thread. It must return quickly
/// and must not call back into the trainer; executables use it to drive a `ProgressReporter`.
public typealias TrainingObserver = @Sendable (TrainingProgress) -> Void

/// A trained parameter vector with its report.
public struct TrainedParameters: Sendable {
    public var parameters: [Double]
    public var report: TrainingReport
}

/// When an optimiser stops.
///
/// Converged means ‖∇L(w)‖ ≤ relativeGradientTolerance·‖∇L(w₀)‖, or ‖∇L(w)‖ ≤
/// absoluteGradientTolerance. The absolute floor matters for warm starts: a start that is already
/// stationary has a gradient made of rounding, which no relative tolerance can shrink.
public struct ConvergenceCriterion: Sendable, Hashable, Codable {
    /// Default 1e-10: tight enough that retraining differences (leave-one-out effects of order
    /// 1/n) are not drowned by optimisation error.
    public var relativeGradientTolerance: Double
    /// Default 1e-13, a little above the rounding of a gradient summed over thousands of terms.
    public var absoluteGradientTolerance: Double
    public var maximumIterations: Int

    public init(
        relativeGradientTolerance: Double = 1e-10, absoluteGradientTolerance: Double = 1e-13, maximumIterations: Int
    ) {
        self.relativeGradientTolerance = relativeGradientTolerance
        self.absoluteGradientTolerance = absoluteGradientTolerance
        self.maximumIterations = maximumIterations
    }

    /// Whether `gradientNorm` meets the criterion given the starting norm.
    func isMet(gradientNorm: Double, initialGradientNorm: Double) -> Bool {
        gradientNorm <= relativeGradientTolerance * initialGradientNorm || gradientNorm <= absoluteGradientTolerance
    }
}
