import Testing

@testable import Shared

@Suite("Batched curvature assembly equals one curvature-vector product per column")
struct CurvatureAssemblyTests {
    /// Both sides are exact; they add the same terms per example in different orders (DGEMMs over
    /// blocks of examples and directions against one product per column), which moves entries by a
    /// few ulps of the largest. 1e-12 relative allows for that and nothing more.
    static let roundingTolerance = 1e-12

    /// Every model kind of the fixtures, a ReLU trunk (σ″ = 0), and hard sharing whose tasks
    /// partly share inputs (one stack of three tasks beside a task of its own).
    static let cases: [ModelCase] =
        ModelCase.all + [
            ModelCase(
                name: "hard ReLU trunk, mixed heads",
                architecture: .hardSharing(trunk: [HiddenLayer(width: 5, activation: .relu)]),
                targetKinds: ModelCase.mixedTasks, layout: .sharedInputs, regularization: ModelCase.hardPenalty)
        ]

    /// Small blocks that split every layer's directions and every task's examples several times.
    static let smallBlocks = CurvatureAssemblySizing(examples: 3, elementBudget: 1 << 19, directions: 2)

    /// The objective of a case with uneven example weights on task 0, so that the scales sᵢ differ.
    static func weightedObjective(_ modelCase: ModelCase) throws -> MultitaskObjective {
        var objective = try modelCase.makeObjective()
        let weights = ModelFixtures.randomPoint(count: objective.trainCount(task: 0), seed: 81).map { abs($0) }
        objective.setExampleWeights(weights, task: 0)
        return objective
    }

    static func objectives() throws -> [(name: String, objective: MultitaskObjective)] {
        try cases.map { ($0.name, try weightedObjective($0)) }
            + [("hard two-layer trunk, partly shared inputs", try SharedInputTrunkTests.makeObjective())]
    }

    @Test("Assembled Hessian and Gauss–Newton matrices equal those from products, for every model kind")
    func denseMatricesMatchProducts() throws {
        for (name, objective) in try Self.objectives() {
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 82)
            for curvature in Curvature.allCases {
                let assembled = objective.assembledCurvature(curvature, at: w)
                let products = objective.productCurvature(curvature, at: w)
                #expect(assembled.maxAbsoluteDifference(to: assembled.transposed()) == 0, "\(name), \(curvature)")
                #expect(
                    NumericalChecks.relativeError(assembled, products) <= Self.roundingTolerance,
                    "\(name), \(curvature)")
            }
        }
    }

    @Test("Assembled Hessian blocks equal the blocks from products, for every model kind")
    func hessianBlocksMatchProducts() throws {
        for (name, objective) in try Self.objectives() {
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 83)
            let assembled = objective.assembledCurvatureBlocks(.hessian, at: w)
            let products = objective.productHessianBlocks(at: w)
            for task in 0..<objective.taskCount {
                #expect(
                    NumericalChecks.relativeError(assembled.taskBlocks[task], products.taskBlocks[task])
                        <= Self.roundingTolerance, "\(name), A_\(task)")
                #expect(
                    NumericalChecks.relativeError(assembled.couplingBlocks[task], products.couplingBlocks[task])
                        <= Self.roundingTolerance, "\(name), B_\(task)")
            }
            #expect(
                NumericalChecks.relativeError(assembled.sharedBlock, products.sharedBlock) <= Self.roundingTolerance,
                "\(name), C")
        }
    }

    @Test("Assembled Gauss–Newton blocks equal the blocks of the Gauss–Newton matrix from products")
    func gaussNewtonBlocksMatchProducts() throws {
        for (name, objective) in try Self.objectives() {
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 84)
            let expected = objective.productCurvature(.gaussNewton, at: w)
            let assembled = objective.assembledCurvatureBlocks(.gaussNewton, at: w).assembled()
            #expect(NumericalChecks.relativeError(assembled, expected) <= Self.roundingTolerance, "\(name)")
        }
    }

    @Test("Blocks and the dense matrix receive the same sums, so the blocks assemble to it exactly")
    func blocksAssembleToDenseExactly() throws {
        for (name, objective) in try Self.objectives() {
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 85)
            for curvature in Curvature.allCases {
                let dense = objective.assembledCurvature(curvature, at: w)
                #expect(objective.assembledCurvatureBlocks(curvature, at: w).assembled() == dense, "\(name)")
            }
        }
    }

    @Test("Assembly is independent of the example batch and direction block sizes")
    func assemblyIsIndependentOfBlockSizes() throws {
        for (name, objective) in try Self.objectives() {
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 86)
            for curvature in Curvature.allCases {
                let small = objective.assembledCurvature(curvature, at: w, sizing: Self.smallBlocks)
                let large = objective.assembledCurvature(curvature, at: w)
                #expect(NumericalChecks.relativeError(small, large) <= Self.roundingTolerance, "\(name), \(curvature)")
            }
        }
    }

    @Test("The public dense curvatures and blocks of networks come from the batched assembly")
    func publicCurvaturesUseAssembly() throws {
        for modelCase in ModelCase.networks {
            let objective = try Self.weightedObjective(modelCase)
            let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 87)
            #expect(objective.hessian(at: w) == objective.assembledCurvature(.hessian, at: w))
            #expect(objective.gaussNewtonMatrix(at: w) == objective.assembledCurvature(.gaussNewton, at: w))
            #expect(objective.hessianBlocks(at: w) == objective.assembledCurvatureBlocks(.hessian, at: w))
        }
    }

    @Test("Tasks with the same inputs and trunk form one stack; other layouts one stack per task")
    func stacksFollowInputsAndChains() throws {
        let partlyShared = try SharedInputTrunkTests.makeObjective()
        #expect(partlyShared.curvatureStacks().map(\.tasks) == [[0, 1, 2], [3]])
        let softNetwork = try ModelCase.all.first { $0.name == "soft tanh network, logistic" }!.makeObjective()
        #expect(softNetwork.curvatureStacks().map(\.tasks) == [[0], [1], [2]])
        let linear = try ModelCase.all.first { $0.name == "hard linear, logistic" }!.makeObjective()
        #expect(linear.curvatureStacks().map(\.tasks) == [[0, 1, 2]])
    }
}
