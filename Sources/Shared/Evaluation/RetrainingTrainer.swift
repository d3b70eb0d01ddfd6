extension MultitaskTrainer {
    /// The trainer that retrains a checkpoint's model from a warm start at ŵ with the
    /// optimiser the checkpoint was trained with.
    ///
    /// The method follows the model as always (Newton for convex objectives, L-BFGS for
    /// networks); the stopping rule, the iteration cap and the L-BFGS memory are the recorded
    /// ones. Adam is skipped, as `mtif train --warm-start` does: ŵ is near the new minimum, where
    /// Adam's fixed-size steps would only wander off and could leave ŵ's basin. Imported weights
    /// that record no training get the defaults (relative gradient tolerance 1e-10).
    ///
    /// - Parameters:
    ///   - settings: `Checkpoint.training?.settings`.
    ///   - relativeTolerance: replaces the recorded relative gradient tolerance when given.
    public static func retraining(
        like settings: TrainerSettings?, relativeTolerance: Double? = nil, maximumIterations: Int? = nil
    )
        -> MultitaskTrainer
    {
        var trainer = MultitaskTrainer()
        trainer.adamLBFGS.adamSteps = 0
        if let settings {
            switch settings.method {
            case .newton: trainer.newton.convergence = settings.convergence
            case .adamThenLBFGS:
                trainer.adamLBFGS.convergence = settings.convergence
                if let memory = settings.memory { trainer.adamLBFGS.memory = memory }
            }
        }
        if let relativeTolerance {
            trainer.newton.convergence.relativeGradientTolerance = relativeTolerance
            trainer.adamLBFGS.convergence.relativeGradientTolerance = relativeTolerance
        }
        if let maximumIterations {
            trainer.newton.convergence.maximumIterations = maximumIterations
            trainer.adamLBFGS.convergence.maximumIterations = maximumIterations
        }
        return trainer
    }
}
