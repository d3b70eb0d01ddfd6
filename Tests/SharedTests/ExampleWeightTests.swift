import Testing

@testable import Shared

@Suite("Example weights: removing examples without copying data")
struct ExampleWeightTests {
    /// The same sums over the same examples, reached through different scalings: a few ulps.
    static let roundingTolerance = 1e-13

    /// The dataset with one training example of one task dropped from its example list.
    static func dataset(_ dataset: MultitaskDataset, without example: Int, task: Int) -> MultitaskDataset {
        var copy = dataset
        var examples = copy.train.tasks[task]
        examples = TaskExamples(
            rows: examples.rows.enumerated().filter { $0.offset != example }.map(\.element),
            targets: examples.targets.enumerated().filter { $0.offset != example }.map(\.element))
        copy.train.tasks[task] = examples
        return copy
    }

    @Test(
        "Weight zero equals the objective on the data without the example, with the same 1/n_k",
        arguments: ModelCase.all)
    func weightZeroMatchesSmallerDataKeepingScale(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let (task, example) = (0, 2)
        let removed = objective.removing(examples: [example], task: task)
        let smaller = try MultitaskObjective(
            model: objective.model, dataset: Self.dataset(objective.dataset, without: example, task: task),
            regularization: objective.regularization)
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 41)

        let n = Double(objective.trainCount(task: task))
        let rescale = (n - 1) / n
        let smallerLoss = smaller.taskValue(task: task, at: w) - smaller.penaltyValue(task: task, at: w)
        let expectedValue = smaller.value(at: w) - smallerLoss + rescale * smallerLoss
        #expect(abs(removed.value(at: w) - expectedValue) <= Self.roundingTolerance * abs(expectedValue))

        var expectedGradient = smaller.gradient(at: w)
        let smallerLossGradient = zip(
            smaller.taskGradient(task: task, at: w), smaller.penaltyGradient(task: task, at: w)
        )
        .map { $0 - $1 }
        addScaled(smallerLossGradient, scale: rescale - 1, to: &expectedGradient)
        #expect(NumericalChecks.relativeError(removed.gradient(at: w), expectedGradient) <= Self.roundingTolerance)
        #expect(removed.value(at: w) != objective.value(at: w))
    }

    @Test("Renormalised removal equals the objective on the data without the example", arguments: ModelCase.all)
    func renormalisedMatchesSmallerData(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let (task, example) = (objective.taskCount - 1, 0)
        let removed = objective.removing(examples: [example], task: task, convention: .renormalised)
        let smaller = try MultitaskObjective(
            model: objective.model, dataset: Self.dataset(objective.dataset, without: example, task: task),
            regularization: objective.regularization)
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 42)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 43, scale: 1)

        let expectedValue = smaller.value(at: w)
        #expect(abs(removed.value(at: w) - expectedValue) <= Self.roundingTolerance * abs(expectedValue))
        #expect(
            NumericalChecks.relativeError(removed.gradient(at: w), smaller.gradient(at: w)) <= Self.roundingTolerance)
        let product = removed.hessianVectorProduct(at: w, v)
        #expect(
            NumericalChecks.relativeError(product, smaller.hessianVectorProduct(at: w, v)) <= Self.roundingTolerance)
    }

    @Test("Renormalised weights are n_k/(n_k − 1) on the remaining examples")
    func renormalisedWeightsFollowTheCount() throws {
        let objective = try ModelCase.all[0].makeObjective()
        let n = Double(objective.trainCount(task: 1))
        let weights = objective.removing(examples: [3], task: 1, convention: .renormalised).exampleWeights[1]
        #expect(weights[3] == 0)
        #expect(weights.enumerated().filter { $0.offset != 3 }.allSatisfy { abs($0.element - n / (n - 1)) <= 1e-15 })
    }
}
