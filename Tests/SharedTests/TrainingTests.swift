import Testing

@testable import Shared

@Suite("Training: Newton, Adam then L-BFGS, reports and failures")
struct TrainingTests {
    /// Newton stops at a gradient of 1e-10 relative; with λ = 0.1 the distance to the exact
    /// minimiser is below ‖∇L‖/λ ≈ 1e-9, and the LU solution itself is accurate to ~1e-14.
    static let closedFormTolerance = 1e-8

    static func squaredObjective(layout: DatasetLayout) throws -> MultitaskObjective {
        try ModelCase(
            name: "ridge", architecture: .hardSharingLinear, targetKinds: [.regression, .regression, .regression],
            layout: layout, regularization: Regularization(l2: 0.1)
        ).makeObjective(seed: 81)
    }

    /// The minimiser of the weighted ridge objective from its normal equations, built from the
    /// features directly: for every task, G = Xᵀdiag(c)X/n_k and b = Xᵀ(c ⊙ y)/n_k enter the
    /// (θ_k, θ_k), (θ_k, γ), (γ, θ_k) and (γ, γ) blocks, plus λI.
    static func ridgeSolution(_ objective: MultitaskObjective) throws -> [Double] {
        let p = objective.parameterCount
        var system = Matrix.diagonal([Double](repeating: objective.regularization.l2, count: p))
        var rightHandSide = [Double](repeating: 0, count: p)
        let shared = objective.model.layout.sharedBlock.range
        for task in 0..<objective.taskCount {
            let x = objective.dataset.features(task: task, split: .train)
            let n = Double(objective.trainCount(task: task))
            let c = objective.exampleWeights[task]
            let y = objective.dataset.targets(task: task, split: .train)
            var weighted = x
            for row in 0..<x.rows {
                for column in 0..<x.columns { weighted[row, column] *= c[row] / n }
            }
            let gram = matrixProduct(x, weighted, transposingA: true)
            let moment = matrixVectorProduct(weighted, y, transposingA: true)
            let own = objective.model.layout.taskBlocks[task].range
            for rows in [own, shared] {
                for columns in [own, shared] {
                    for (r, row) in rows.enumerated() {
                        for (s, column) in columns.enumerated() { system[row, column] += gram[r, s] }
                    }
                }
                for (r, row) in rows.enumerated() { rightHandSide[row] += moment[r] }
            }
        }
        return try LUFactorization(system).solve(rightHandSide)
    }

    @Test(
        "Newton on linear hard sharing equals the closed-form ridge solution",
        arguments: [DatasetLayout.disjoint, .sharedInputs])
    func newtonMatchesRidge(_ layout: DatasetLayout) throws {
        let objective = try Self.squaredObjective(layout: layout)
        let start = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 82)
        let trained = try NewtonTrainer().train(objective, from: start)
        let expected = try Self.ridgeSolution(objective)
        #expect(NumericalChecks.relativeError(trained.parameters, expected) <= Self.closedFormTolerance)
        #expect(trained.report.method == .newton && trained.report.converged)
    }

    @Test("Newton warm-started after a weight-zero removal equals the ridge solution without the example")
    func warmStartAfterRemovalMatchesRidge() throws {
        let objective = try Self.squaredObjective(layout: .disjoint)
        let full = try NewtonTrainer().train(
            objective, from: ModelFixtures.randomPoint(count: objective.parameterCount, seed: 83))
        let removed = objective.removing(examples: [4], task: 1)
        let retrained = try NewtonTrainer().train(removed, from: full.parameters)
        #expect(
            NumericalChecks.relativeError(retrained.parameters, try Self.ridgeSolution(removed))
                <= Self.closedFormTolerance)
        #expect(retrained.parameters != full.parameters)
        #expect(retrained.report.iterations <= 3)
    }

    @Test(
        "Newton on logistic and softmax models reaches a relative gradient below 1e-10",
        arguments: [ModelCase.all[1], ModelCase.all[2], ModelCase.all[6]])
    func newtonConvergesOnClassification(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let trained = try NewtonTrainer().train(objective, from: objective.model.makeInitialParameters(seed: 84))
        let gradientNorm = euclideanNorm(objective.gradient(at: trained.parameters))
        #expect(trained.report.converged)
        #expect(trained.report.relativeGradientNorm < 1e-10)
        #expect(gradientNorm == trained.report.gradientNorm)
        #expect(objective.value(at: trained.parameters) == trained.report.finalLoss)
    }

    @Test("Adam then L-BFGS converges on networks with every head", arguments: [ModelCase.all[3], ModelCase.all[8]])
    func adamLBFGSConvergesOnNetworks(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let trainer = AdamLBFGSTrainer(adamSteps: 200)
        let start = objective.model.makeInitialParameters(seed: 85)
        let trained = try trainer.train(objective, from: start)
        #expect(trained.report.converged && trained.report.method == .adamThenLBFGS)
        #expect(trained.report.relativeGradientNorm <= 1e-10)
        #expect(trained.report.finalLoss < objective.value(at: start))
    }

    @Test("The same seed trains to bit-identical parameters; another seed does not")
    func seedReproducesTrainingBitForBit() throws {
        let objective = try ModelCase.all[3].makeObjective()
        let trainer = MultitaskTrainer(adamLBFGS: AdamLBFGSTrainer(adamSteps: 100))
        let first = try trainer.train(objective, seed: 7)
        let second = try trainer.train(objective, seed: 7)
        let other = try trainer.train(objective, seed: 8)
        #expect(first.parameters == second.parameters)
        #expect(first.report == second.report)
        #expect(first.parameters != other.parameters)
    }

    @Test("Reaching the iteration cap throws didNotConverge with the report")
    func iterationCapThrows() throws {
        let objective = try ModelCase.all[1].makeObjective()
        let start = objective.model.makeInitialParameters(seed: 86)
        let newton = NewtonTrainer(convergence: ConvergenceCriterion(maximumIterations: 1))
        let adam = AdamLBFGSTrainer(adamSteps: 5, convergence: ConvergenceCriterion(maximumIterations: 2))
        for train in [{ try newton.train(objective, from: start) }, { try adam.train(objective, from: start) }] {
            do {
                _ = try train()
                Issue.record("Training returned although the cap was too low")
            } catch let error as TrainingError {
                #expect(error.code == .didNotConverge)
                #expect(!error.report.converged && error.report.relativeGradientNorm > 1e-10)
            }
        }
    }
}
