/// Trains a multitask objective with the method its model calls for: Newton for convex objectives,
/// Adam then L-BFGS for networks.
public struct MultitaskTrainer: Sendable {
    public var newton: NewtonTrainer
    public var adamLBFGS: AdamLBFGSTrainer

    public init(newton: NewtonTrainer = NewtonTrainer(), adamLBFGS: AdamLBFGSTrainer = AdamLBFGSTrainer()) {
        self.newton = newton
        self.adamLBFGS = adamLBFGS
    }

    /// Minimises `objective` from `start`, or from `model.makeInitialParameters(seed:)` when nil.
    ///
    /// The run is a pure function of the objective, the start (or seed) and the configuration: the
    /// same inputs give bit-identical parameters on the same machine and BLAS thread count.
    ///
    /// - Parameters:
    ///   - observer: told after every iteration of every stage.
    /// - Throws: `TrainingError` when the chosen method does not converge.
    public func train(
        _ objective: MultitaskObjective, from start: [Double]? = nil, seed: UInt64 = 0,
        observer: TrainingObserver? = nil
    ) throws
        -> TrainedParameters
    {
        let start = start ?? objective.model.makeInitialParameters(seed: seed)
        if objective.model.hasConvexObjective {
            return try newton.train(objective, from: start, observer: observer)
        }
        return try adamLBFGS.train(objective, from: start, observer: observer)
    }

    /// The method `train` uses for `model`.
    public func method(for model: MultitaskModel) -> TrainingMethod {
        model.hasConvexObjective ? .newton : .adamThenLBFGS
    }
}

extension MultitaskModel {
    /// Whether every objective of this model is convex in w: the outputs are linear in w (no hidden
    /// layers), every loss is convex in the outputs and the penalties are convex quadratics.
    public var hasConvexObjective: Bool { hasLinearOutputs }
}
