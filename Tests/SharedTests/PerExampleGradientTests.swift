import Testing

@testable import Shared

@Suite("Per-example gradients and their dot products with queries")
struct PerExampleGradientTests {
    /// Batched and single-example passes run the same arithmetic through DGEMMs of different
    /// shapes; results agree to a few ulps of these O(1) gradients.
    static let batchTolerance = 1e-12
    /// Sums and products of O(1) terms over tens of examples, compared across summation orders.
    static let sumTolerance = 1e-12

    @Test(
        "Batched per-example gradients equal one-at-a-time gradients for batches of 1, 7 and all",
        arguments: ModelCase.all)
    func batchedEqualsOneAtATime(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 31)
        let task = 1 % objective.taskCount
        let count = objective.trainCount(task: task)
        let single = (0..<count).map { objective.perExampleGradients(task: task, examples: [$0], at: w).row(0) }
        for batchSize in [1, 7, count] {
            for start in stride(from: 0, to: count, by: batchSize) {
                let examples = Array(start..<min(start + batchSize, count))
                let batch = objective.perExampleGradients(task: task, examples: examples, at: w)
                for (row, example) in examples.enumerated() {
                    #expect(zip(batch.row(row), single[example]).allSatisfy { abs($0 - $1) <= Self.batchTolerance })
                }
            }
        }
    }

    @Test("Gradient dot products equal the explicit gradient matrix times the queries", arguments: ModelCase.all)
    func dotsEqualExplicitProducts(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 32)
        let queries = Matrix(
            rows: objective.parameterCount, columns: 3,
            elements: ModelFixtures.randomPoint(count: objective.parameterCount * 3, seed: 33, scale: 1))
        for task in 0..<objective.taskCount {
            for split in [Split.train, .validation] {
                let explicit = matrixProduct(objective.perExampleGradients(task: task, split: split, at: w), queries)
                let dots = objective.perExampleGradientDots(task: task, split: split, at: w, against: queries)
                #expect(NumericalChecks.relativeError(dots, explicit) <= Self.sumTolerance)
            }
        }
    }

    @Test(
        "Weighted mean of per-example gradients plus penalty gradient equals the objective gradient",
        arguments: ModelCase.all)
    func perExampleGradientsSumToObjectiveGradient(_ modelCase: ModelCase) throws {
        var objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 34)
        let weights = ModelFixtures.randomPoint(count: objective.trainCount(task: 0), seed: 35).map { abs($0) + 0.2 }
        objective.setExampleWeights(weights, task: 0)
        var sum = [Double](repeating: 0, count: objective.parameterCount)
        for task in 0..<objective.taskCount {
            let gradients = objective.perExampleGradients(task: task, at: w)
            let scales = objective.exampleWeights[task].map { $0 / Double(objective.trainCount(task: task)) }
            addScaled(matrixVectorProduct(gradients, scales, transposingA: true), scale: 1, to: &sum)
            addScaled(objective.penaltyGradient(task: task, at: w), scale: 1, to: &sum)
        }
        #expect(NumericalChecks.relativeError(sum, objective.gradient(at: w)) <= Self.sumTolerance)
    }

    @Test("Mean of validation per-example gradients equals the validation-loss gradient", arguments: ModelCase.all)
    func validationGradientIsMeanOfExampleGradients(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 36)
        let task = objective.taskCount - 1
        let gradients = objective.perExampleGradients(task: task, split: .validation, at: w)
        let ones = [Double](repeating: 1 / Double(gradients.rows), count: gradients.rows)
        let mean = matrixVectorProduct(gradients, ones, transposingA: true)
        let expected = try objective.meanLossGradient(task: task, split: .validation, at: w)
        #expect(NumericalChecks.relativeError(mean, expected) <= Self.sumTolerance)
    }

    @Test("Per-example results keep their order across internal batch boundaries")
    func resultsSurviveInternalBatching() throws {
        let dataset = ModelFixtures.dataset(
            layout: .sharedInputs, targetKinds: [.binary, .regression], featureCount: 3, trainCounts: [1100, 1100],
            seed: 37)
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [HiddenLayer(width: 3, activation: .tanh)]), dataset: dataset)
        let objective = try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: 0.1))
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 38)
        let queries = Matrix(
            rows: objective.parameterCount, columns: 2,
            elements: ModelFixtures.randomPoint(count: objective.parameterCount * 2, seed: 39, scale: 1))
        let all = objective.perExampleGradients(task: 0, at: w)
        let dots = objective.perExampleGradientDots(task: 0, at: w, against: queries)
        let losses = objective.exampleLosses(task: 0, at: w)
        for example in [0, 511, 512, 1023, 1024, 1099] {
            let single = objective.perExampleGradients(task: 0, examples: [example], at: w)
            #expect(zip(all.row(example), single.row(0)).allSatisfy { abs($0 - $1) <= Self.batchTolerance })
            let singleDots = matrixProduct(single, queries)
            #expect(zip(dots.row(example), singleDots.row(0)).allSatisfy { abs($0 - $1) <= Self.batchTolerance })
            let singleLoss = objective.exampleLosses(task: 0, examples: [example], at: w)[0]
            #expect(abs(losses[example] - singleLoss) <= Self.batchTolerance)
        }
    }
}
