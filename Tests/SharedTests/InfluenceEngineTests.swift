import Testing

@testable import Shared

@Suite("Influence engine: solvers, sharding and structure")
struct InfluenceEngineTests {
    static let binarySpecification = "synthetic:K=3,n=50,d=5,noise=0.5,shared=0.6,conflicting=1,seed=2,kind=binary"

    static func mlpProblem() throws -> TrainedProblem {
        try TrainedProblem.make(
            binarySpecification, architecture: .hardSharing(trunk: [HiddenLayer(width: 4, activation: .tanh)]), l2: 1e-2
        )
    }

    static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        a.maxAbsoluteDifference(to: b) / (b.elements.map(abs).max() ?? 1)
    }

    @Test("Dense, arrowhead and converged CG give the same scores to 1e-8 relative on a tanh MLP")
    func solversGiveTheSameScores() throws {
        let problem = try Self.mlpProblem()
        func scores(_ solver: SolverMethod) throws -> InfluenceResult {
            try InfluenceEngine.run(
                objective: problem.objective, parameters: problem.parameters,
                configuration: .init(solver: solver, queries: .examples, iterative: .init(tolerance: 1e-12)))
        }
        let dense = try scores(.dense)
        let arrowhead = try scores(.arrowhead)
        let cg = try scores(.conjugateGradient)
        #expect(Self.relativeDifference(arrowhead.scores.values, dense.scores.values) < 1e-8)
        #expect(Self.relativeDifference(cg.scores.values, dense.scores.values) < 1e-8)
        #expect(Self.relativeDifference(cg.taskRelatedness.values, dense.taskRelatedness.values) < 1e-8)
        #expect(cg.solve.maximumRelativeResidual < 1e-10)
    }

    @Test("Scores do not depend on the shard size", arguments: [1, 7, 1000])
    func shardSizeDoesNotMatter(size: Int) throws {
        let problem = try Self.mlpProblem()
        let reference = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(shardSize: 64))
        let sharded = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(shardSize: size))
        // Batch composition changes only the BLAS blocking of the same sums: round-off level.
        #expect(Self.relativeDifference(sharded.scores.values, reference.scores.values) < 1e-12)
    }

    @Test("Reversing a task's training examples reverses its rows of scores and changes nothing else")
    func exampleOrderDoesNotMatter() throws {
        let problem = try Self.mlpProblem()
        var reversedData = problem.objective.dataset
        reversedData.train.tasks[1].rows.reverse()
        reversedData.train.tasks[1].targets.reverse()
        let reversed = try MultitaskObjective(
            model: problem.objective.model, dataset: reversedData, regularization: problem.objective.regularization)
        let original = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init())
        let permuted = try InfluenceEngine.run(
            objective: reversed, parameters: problem.parameters, configuration: .init())
        let rows = original.scores.rows(ofTask: 1)
        let mapping =
            Array(0..<rows.lowerBound) + rows.reversed() + Array(rows.upperBound..<original.scores.values.rows)
        #expect(Self.relativeDifference(permuted.scores.values.rows(at: mapping), original.scores.values) < 1e-10)
    }

    @Test("Without shared parameters every between-task score is exactly zero")
    func noSharingMeansNoTransfer() throws {
        let problem = try TrainedProblem.make(Self.binarySpecification, architecture: .hardSharing(trunk: []), l2: 1e-2)
        let result = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(queries: .examples))
        var withinNonZero = false
        for row in 0..<result.scores.values.rows {
            let trainTask = result.scores.example(atRow: row).task
            for (column, query) in result.scores.queries.enumerated() {
                let score = result.scores.values[row, column]
                if query.task != trainTask { #expect(score == 0) } else if score != 0 { withinNonZero = true }
            }
        }
        #expect(withinNonZero)
    }

    @Test("Task relatedness equals summed weight-zero scores minus the penalty term (method.md §5)")
    func taskRelatednessEqualsSummedScores() throws {
        let problem = try Self.mlpProblem()
        let result = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(solver: .dense))
        let queryRows = try InfluenceEngine.queryGradients(
            objective: problem.objective, parameters: problem.parameters, queries: result.scores.queries)
        let q = try InfluenceEngine.solve(
            objective: problem.objective, parameters: problem.parameters, rightHandSides: queryRows,
            configuration: .init(solver: .dense)
        ).vectors
        for trainTask in 0..<problem.objective.taskCount {
            let penalty = problem.objective.penaltyGradient(task: trainTask, at: problem.parameters)
            for queryTask in 0..<problem.objective.taskCount {
                let summed = result.scores.rows(ofTask: trainTask).reduce(0) {
                    $0 + result.scores.values[$1, queryTask]
                }
                let expected = summed - dot(q.row(queryTask), penalty)
                let actual = result.taskRelatedness.values[trainTask, queryTask]
                #expect(abs(actual - expected) <= 1e-10 * max(abs(expected), 1e-3))
            }
        }
    }

    @Test("Predicted subset effects are sums of instance scores; top-k lists are sorted by score")
    func subsetPredictionAndTopExamples() throws {
        let problem = try Self.mlpProblem()
        let scores = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init()
        ).scores
        let subset = [TrainExample(task: 0, example: 2), TrainExample(task: 2, example: 5)]
        let effect = scores.predictedEffect(ofRemoving: subset)
        for query in 0..<scores.queries.count {
            let expected =
                scores.values[scores.row(of: subset[0]), query] + scores.values[scores.row(of: subset[1]), query]
            #expect(effect[query] == expected)
        }
        let harmful = scores.extremeExamples(query: 1, count: 5, harmful: true)
        #expect(zip(harmful, harmful.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(harmful[0].score == scores.values.column(1).max())
    }
}

@Suite("Influence configuration: direct solves that cannot fit in memory are refused up front")
struct InfluenceMemoryCheckTests {
    @Test("Dense and arrowhead solves are refused above half the memory; CG is always allowed")
    func directSolvesCheckMemory() throws {
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [HiddenLayer(width: 32, activation: .tanh)]), featureCount: 784,
            targetKinds: Array(repeating: .binary, count: 5))
        let p = Double(model.layout.sharedBlock.count)
        let enoughForShared = 2 * 3 * 8 * p * p + 1
        #expect(throws: UsageError.self) {
            try InfluenceConfiguration(solver: .dense).checkMemory(for: model, available: enoughForShared)
        }
        try InfluenceConfiguration(solver: .arrowhead).checkMemory(for: model, available: enoughForShared)
        #expect(throws: UsageError.self) {
            try InfluenceConfiguration(solver: .arrowhead).checkMemory(for: model, available: enoughForShared / 2)
        }
        try InfluenceConfiguration(solver: .conjugateGradient).checkMemory(for: model, available: 1)
    }
}
