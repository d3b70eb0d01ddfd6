import Testing

@testable import Shared

@Suite("Selection experiments: retraining equals the closed-form refit; MTIF finds the conflicting task")
struct SelectionExperimentTests {
    /// Four linear regression tasks sharing 90% of their coefficients, the last with the shared
    /// component negated; λ = 1 makes the shared block carry most of the fit, so the conflicting
    /// task pulls it away from the others (negative transfer by design).
    static let specification = "synthetic:K=4,n=100,d=20,shared=0.9,noise=0.3,conflicting=1,seed=0"
    static let conflictingTask = 3
    static let target = 0

    /// The trained problem, its scores and the experiment, shared by the tests; read only.
    static let setting: (TrainedProblem, InfluenceResult, ExampleSelector)? = {
        guard
            let problem = try? TrainedProblem.make(specification, architecture: .hardSharingLinear, l2: 1),
            let result = try? InfluenceEngine.run(
                objective: problem.objective, parameters: problem.parameters, configuration: InfluenceConfiguration()),
            let selector = try? ExampleSelector(scores: result.scores, target: .task(target), pool: .otherTasks)
        else { return nil }
        return (problem, result, selector)
    }()

    static func experiment(rules: [SelectionRule], seeds: [UInt64]) throws -> SelectionExperiment {
        let (problem, result, selector) = try #require(setting)
        return SelectionExperiment(
            objective: problem.objective, parameters: problem.parameters, selector: selector, rules: rules,
            randomSeeds: seeds, taskMatrix: result.taskRelatedness.values, convention: .weightZero)
    }

    /// The exact minimiser of the weighted objective of linear hard sharing with squared loss,
    /// from its normal equations: with φ the input x placed in task k's block and in γ,
    ///
    ///     (Σ_k (1/n_k) Σ_i c_ki φ φᵀ + λI) w = Σ_k (1/n_k) Σ_i c_ki y_ki φ,
    ///
    /// where c_ki = 0 for the removed examples (weight-zero removal keeps n_k).
    static func closedFormRefit(
        _ objective: MultitaskObjective, removing removed: [TrainExample], l2: Double
    ) throws
        -> [Double]
    {
        let (d, k) = (objective.dataset.featureCount, objective.taskCount)
        let size = d * (k + 1)
        var matrix = Matrix.identity(size)
        for index in matrix.elements.indices { matrix.elements[index] *= l2 }
        var rightHandSide = [Double](repeating: 0, count: size)
        let dropped = Set(removed)
        for task in 0..<k {
            let examples = objective.dataset.train.tasks[task]
            let scale = 1 / Double(examples.count)
            for (position, row) in examples.rows.enumerated()
            where !dropped.contains(TrainExample(task: task, example: position)) {
                let x = objective.dataset.train.features.row(row)
                var phi = [Double](repeating: 0, count: size)
                for j in 0..<d {
                    phi[task * d + j] = x[j]
                    phi[k * d + j] = x[j]
                }
                for a in 0..<size where phi[a] != 0 {
                    rightHandSide[a] += scale * examples.targets[position] * phi[a]
                    for b in 0..<size { matrix[a, b] += scale * phi[a] * phi[b] }
                }
            }
        }
        return try CholeskyFactorization(matrix).solve(rightHandSide)
    }

    @Test("Each strategy's test metrics equal those of the closed-form refit without its examples")
    func retrainedMetricsEqualClosedForm() throws {
        let experiment = try Self.experiment(rules: [.topPercent(10)], seeds: [4])
        let outcomes = try experiment.run(retrainer: InProcessRetrainer(trainer: .retraining(like: nil)))
        #expect(outcomes.map(\.strategy.kind) == [.fullData, .mtif, .random, .taskLevel])
        for outcome in outcomes {
            let refit = try Self.closedFormRefit(experiment.objective, removing: outcome.strategy.removals[0], l2: 1)
            let expected = try TaskMetrics.measure(objective: experiment.objective, parameters: refit)
            // Newton converges to a relative gradient of 1e-10 on a problem conditioned about
            // 1e2, and the Cholesky solve is backward stable: losses agree to far below 1e-7.
            for (actual, exact) in zip(outcome.runs[0], expected) {
                #expect(abs(actual.loss - exact.loss) <= 1e-7 * exact.loss, "\(outcome.strategy.name)")
            }
        }
    }

    @Test("The plan: reference first, random draws of the MTIF count, task-level removal equals removingTasks")
    func planMatchesItsParts() throws {
        let (problem, result, selector) = try #require(Self.setting)
        let experiment = try Self.experiment(rules: [.harmful, .topPercent(5)], seeds: [0, 1, 2])
        let strategies = experiment.strategies
        #expect(strategies.map(\.kind) == [.fullData, .mtif, .random, .mtif, .random, .taskLevel])
        #expect(strategies[0].removals == [[]])
        for (mtif, random) in [(strategies[1], strategies[2]), (strategies[3], strategies[4])] {
            #expect(mtif.removals == [selector.select(mtif.rule!)])
            #expect(random.seeds == [0, 1, 2])
            #expect(random.removals.allSatisfy { $0.count == mtif.removedCount })
            #expect(random.removals.allSatisfy { !$0.contains { $0.task == Self.target } })
        }
        let matrix = result.taskRelatedness.values
        let harmful = (0..<4).filter { $0 != Self.target && matrix[$0, Self.target] > 0 }
        #expect(strategies[5].removedTasks == harmful)
        #expect(strategies[5].removals[0] == RetrainingRequest.removingTasks(harmful, of: problem.objective).removed)
        #expect(experiment.requests.count == Set(experiment.requests).count)
        #expect(experiment.requests.count == 1 + 3 + 1 + 3 + (harmful.isEmpty ? 0 : 1))
    }

    @Test("On a designed conflict, the top-scored examples come mostly from the conflicting task and help the target")
    func selectionFindsTheConflictingTask() throws {
        let (_, result, _) = try #require(Self.setting)
        #expect(result.taskRelatedness.values[Self.conflictingTask, Self.target] > 0)
        let experiment = try Self.experiment(rules: [.topPercent(5), .topPercent(10)], seeds: [0, 1, 2, 3, 4])
        let outcomes = try experiment.run(retrainer: InProcessRetrainer(trainer: .retraining(like: nil)))
        let full = outcomes[0].meanLoss[Self.target]
        for index in [1, 3] {
            let (mtif, random) = (outcomes[index], outcomes[index + 1])
            // Chance is 1/3 of the candidates; a majority means the scores single the task out.
            #expect(experiment.removalShares(mtif.strategy)[Self.conflictingTask] > 0.5, "\(mtif.strategy.name)")
            #expect(mtif.meanLoss[Self.target] < full)
            #expect(random.runs.allSatisfy { mtif.meanLoss[Self.target] < $0[Self.target].loss })
        }
        let dropped = try #require(outcomes.last)
        #expect(dropped.strategy.removedTasks.contains(Self.conflictingTask))
        #expect(dropped.meanLoss[Self.target] < full, "the designed problem must show negative transfer")
    }
}
