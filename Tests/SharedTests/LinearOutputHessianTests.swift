import Testing

@testable import Shared

@Suite("Direct Hessian assembly for outputs linear in w")
struct LinearOutputHessianTests {
    /// Direct Gram assembly and Hessian-vector products sum the same terms in different orders.
    static let roundingTolerance = 1e-12

    @Test(
        "Direct blocks and dense Hessian equal those assembled from Hessian-vector products",
        arguments: ModelCase.singleLayer)
    func directAssemblyMatchesProducts(_ modelCase: ModelCase) throws {
        var objective = try modelCase.makeObjective()
        objective.setExampleWeights(
            ModelFixtures.randomPoint(count: objective.trainCount(task: 0), seed: 71).map { abs($0) }, task: 0)
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 72)
        let direct = objective.linearOutputHessianBlocks(at: w)
        let products = objective.productHessianBlocks(at: w)
        for task in 0..<objective.taskCount {
            #expect(
                NumericalChecks.relativeError(direct.taskBlocks[task], products.taskBlocks[task])
                    <= Self.roundingTolerance)
            #expect(
                NumericalChecks.relativeError(direct.couplingBlocks[task], products.couplingBlocks[task])
                    <= Self.roundingTolerance)
        }
        #expect(NumericalChecks.relativeError(direct.sharedBlock, products.sharedBlock) <= Self.roundingTolerance)
        let dense = objective.productCurvature(.hessian, at: w)
        #expect(NumericalChecks.relativeError(objective.hessian(at: w), dense) <= Self.roundingTolerance)
    }
}
