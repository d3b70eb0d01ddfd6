import Testing

@testable import Shared

@Suite("Tasks with shared inputs share one trunk pass")
struct SharedInputTrunkTests {
    /// The shared and the per-task paths sum the same terms in different orders.
    static let roundingTolerance = 1e-12

    /// A hard-sharing trunk over shared inputs, plus one task with inputs of its own.
    static func makeObjective() throws -> MultitaskObjective {
        var dataset = ModelFixtures.dataset(
            layout: .sharedInputs, targetKinds: [.binary, .regression, .multiclass(classes: 3), .binary],
            featureCount: 5, trainCounts: [13, 13, 13, 13], seed: 61)
        dataset.train.tasks[3] = TaskExamples(rows: [4, 2, 9, 0, 11], targets: [1, 0, 0, 1, 1])
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [
                HiddenLayer(width: 4, activation: .tanh), HiddenLayer(width: 3, activation: .softplus),
            ]), dataset: dataset)
        return try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: 0.05))
    }

    @Test("Tasks group by identical example rows, in order of first appearance")
    func groupsFollowRows() throws {
        let objective = try Self.makeObjective()
        #expect(objective.inputGroups(tasks: [0, 1, 2, 3], split: .train) == [[0, 1, 2], [3]])
        #expect(objective.inputGroups(tasks: [3, 1], split: .train) == [[3], [1]])
    }

    @Test("Shared-trunk gradient equals the sum of the task gradients computed one task at a time")
    func sharedGradientEqualsSumOfTaskGradients() throws {
        var objective = try Self.makeObjective()
        objective.setExampleWeights(ModelFixtures.randomPoint(count: 13, seed: 62).map { abs($0) }, task: 1)
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 63)
        var sum = [Double](repeating: 0, count: objective.parameterCount)
        var value = 0.0
        for task in 0..<objective.taskCount {
            addScaled(objective.taskGradient(task: task, at: w), scale: 1, to: &sum)
            value += objective.taskValue(task: task, at: w)
        }
        let shared = objective.valueAndGradient(at: w)
        #expect(NumericalChecks.relativeError(shared.gradient, sum) <= Self.roundingTolerance)
        #expect(abs(shared.value - value) <= Self.roundingTolerance * abs(value))
    }

    @Test("Shared-trunk Hessian and Gauss–Newton products equal the sums of the one-task products")
    func sharedCurvatureEqualsSumOfTaskProducts() throws {
        let objective = try Self.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 66)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 67, scale: 1)
        var hessianSum = [Double](repeating: 0, count: objective.parameterCount)
        var gaussNewtonSum = hessianSum
        for task in 0..<objective.taskCount {
            addScaled(objective.taskHessianVectorProduct(task: task, at: w, v), scale: 1, to: &hessianSum)
            addScaled(objective.taskGaussNewtonVectorProduct(task: task, at: w, v), scale: 1, to: &gaussNewtonSum)
        }
        let hessianProduct = objective.hessianVectorProduct(at: w, v)
        #expect(NumericalChecks.relativeError(hessianProduct, hessianSum) <= Self.roundingTolerance)
        let gaussNewtonProduct = objective.gaussNewtonVectorProduct(at: w, v)
        #expect(NumericalChecks.relativeError(gaussNewtonProduct, gaussNewtonSum) <= Self.roundingTolerance)
    }

    @Test("Shared-trunk Hessian product equals central differences of the shared-trunk gradient")
    func sharedHessianProductMatchesDifferences() throws {
        let objective = try Self.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 68)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 69, scale: 1)
        let expected = NumericalChecks.directionalDerivative(
            of: { objective.gradient(at: $0) }, at: w, along: v, step: ObjectiveDerivativeTests.step)
        #expect(
            NumericalChecks.relativeError(objective.hessianVectorProduct(at: w, v), expected)
                <= ObjectiveDerivativeTests.differenceTolerance)
    }

    @Test("Dot products scored for all tasks at once equal each task's explicit gradients times the queries")
    func groupedDotsEqualExplicitProducts() throws {
        let objective = try Self.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 64)
        let queries = Matrix(
            rows: objective.parameterCount, columns: 4,
            elements: ModelFixtures.randomPoint(count: objective.parameterCount * 4, seed: 65, scale: 1))
        let tasks = [2, 0, 3, 1, 0]
        let grouped = objective.perExampleGradientDots(tasks: tasks, at: w, against: queries)
        for (index, task) in tasks.enumerated() {
            let explicit = matrixProduct(objective.perExampleGradients(task: task, at: w), queries)
            #expect(NumericalChecks.relativeError(grouped[index], explicit) <= Self.roundingTolerance)
        }
        let subset = objective.perExampleGradientDots(tasks: [1, 2], examples: [12, 3, 5], at: w, against: queries)
        let explicit = matrixProduct(objective.perExampleGradients(task: 2, examples: [12, 3, 5], at: w), queries)
        #expect(NumericalChecks.relativeError(subset[1], explicit) <= Self.roundingTolerance)
    }
}
