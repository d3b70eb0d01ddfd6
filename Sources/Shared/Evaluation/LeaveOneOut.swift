/// Ground truth for instance scores: the actual effect of removing one training example.
///
/// Two independent ways, both measuring Δ^k_li = V_k(ŵ) − V_k(ŵ^(−li)) (method.md §2, §6):
/// retraining the model without the example, and, for quadratic objectives, the exact closed
/// form of that retraining.
public enum LeaveOneOut {
    /// Δ for each example (rows) and query (columns), by retraining without the example from a
    /// warm start at ŵ to the trainer's tolerance.
    ///
    /// - Throws: `TrainingError` when a retraining does not converge (its report says how far it
    ///   got); `ModelError` for empty query tasks.
    /// - Complexity: one warm-started training per example.
    public static func retrained(
        objective: MultitaskObjective, parameters: [Double], examples: [TrainExample], queries: [Query],
        convention: RemovalConvention = .weightZero, trainer: MultitaskTrainer = MultitaskTrainer(),
        progress: ProgressReporter? = nil
    ) throws -> Matrix {
        let before = try QueryLosses.evaluate(objective: objective, parameters: parameters, queries: queries)
        var effects: [Double] = []
        effects.reserveCapacity(examples.count * queries.count)
        for example in examples {
            let reduced = objective.removing(examples: [example.example], task: example.task, convention: convention)
            let refit = try trainer.train(reduced, from: parameters)
            let after = try QueryLosses.evaluate(objective: objective, parameters: refit.parameters, queries: queries)
            effects.append(contentsOf: zip(before, after).map { $0 - $1 })
            progress?.advance()
        }
        progress?.finish()
        return Matrix(rows: examples.count, columns: queries.count, elements: effects)
    }

    /// Δ for each example and query, exactly, for a squared-loss model whose outputs are linear
    /// in w (weight-zero removal).
    ///
    /// L is then quadratic with constant Hessian H, and an example contributes (1/n_l)·½(φᵀw − y)²
    /// with φ = ∂f/∂w = g/e, e = f − y the residual and g its gradient. Dropping it gives
    /// H′ = H − cφφᵀ (c = 1/n_l) and ∇L′(ŵ) = −c·e·φ, so one exact Newton step and the
    /// Sherman–Morrison formula give the refit without refactorising:
    ///
    ///     ŵ′ − ŵ = c·e·H⁻¹φ / (1 − c·φᵀH⁻¹φ)
    ///
    /// - Throws: `UsageError` when the model is not quadratic (a hidden layer, or a task that is
    ///   not regression); `LinearAlgebraError` when H is singular.
    /// - Complexity: one P³/3 factorisation, then O(P²) per example.
    public static func exactQuadratic(
        objective: MultitaskObjective, parameters: [Double], examples: [TrainExample], queries: [Query]
    ) throws -> Matrix {
        try requireQuadratic(objective)
        let factor = try CholeskyFactorization(objective.hessian(at: parameters))
        let before = try QueryLosses.evaluate(objective: objective, parameters: parameters, queries: queries)
        var effects: [Double] = []
        for example in examples {
            let step = downdateStep(objective: objective, parameters: parameters, example: example, factor: factor)
            var refit = parameters
            addScaled(step, scale: 1, to: &refit)
            let after = try QueryLosses.evaluate(objective: objective, parameters: refit, queries: queries)
            effects.append(contentsOf: zip(before, after).map { $0 - $1 })
        }
        return Matrix(rows: examples.count, columns: queries.count, elements: effects)
    }

    /// ŵ′ − ŵ for one example by the rank-one downdate.
    static func downdateStep(
        objective: MultitaskObjective, parameters: [Double], example: TrainExample, factor: CholeskyFactorization
    ) -> [Double] {
        let task = example.task
        let gradient = objective.perExampleGradients(task: task, examples: [example.example], at: parameters).row(0)
        let output = objective.outputs(task: task, examples: [example.example], at: parameters)[0, 0]
        let residual = output - objective.dataset.train.tasks[task].targets[example.example]
        guard residual != 0 else { return Array(repeating: 0, count: parameters.count) }  // g = 0: nothing moves
        let phi = gradient.map { $0 / residual }
        let solved = factor.solve(phi)
        let c = 1 / Double(objective.trainCount(task: task))
        let scale = c * residual / (1 - c * dot(phi, solved))
        return solved.map { $0 * scale }
    }

    private static func requireQuadratic(_ objective: MultitaskObjective) throws {
        guard objective.model.hasLinearOutputs,
            objective.dataset.tasks.allSatisfy({ $0.targetKind == .regression })
        else {
            throw UsageError(
                "Exact leave-one-out needs squared loss and outputs linear in the parameters (no hidden layers, "
                    + "regression tasks); retrain instead.")
        }
    }
}
