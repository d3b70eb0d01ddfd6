import Testing

@testable import Shared

@Suite("Hessian structure: symmetry, arrowhead blocks, Gauss–Newton")
struct HessianStructureTests {
    /// Two exact computations that differ only in summation order agree to a few ulps of the
    /// largest entry; 1e-12 relative allows for that and nothing more.
    static let roundingTolerance = 1e-12
    /// Eigenvalues of a PSD matrix computed in floating point can dip below zero by about
    /// ε·‖G‖·P ≈ 1e-14 here.
    static let semidefiniteSlack = 1e-12

    @Test("Dense Hessian is exactly symmetric and its blocks equal the block accessors", arguments: ModelCase.all)
    func denseHessianMatchesBlocks(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 21)
        let h = objective.hessian(at: w)
        #expect(h.maxAbsoluteDifference(to: h.transposed()) == 0)

        let blocks = objective.hessianBlocks(at: w)
        let layout = objective.model.layout
        let shared = layout.sharedBlock.range
        for (task, block) in layout.taskBlocks.enumerated() {
            let a = NumericalChecks.block(of: h, rows: block.range, columns: block.range)
            let b = NumericalChecks.block(of: h, rows: block.range, columns: shared)
            #expect(NumericalChecks.relativeError(blocks.taskBlocks[task], a) <= Self.roundingTolerance)
            #expect(NumericalChecks.relativeError(blocks.couplingBlocks[task], b) <= Self.roundingTolerance)
        }
        let c = NumericalChecks.block(of: h, rows: shared, columns: shared)
        #expect(NumericalChecks.relativeError(blocks.sharedBlock, c) <= Self.roundingTolerance)
        #expect(NumericalChecks.relativeError(blocks.assembled(), h) <= Self.roundingTolerance)
    }

    @Test("Blocks between different tasks of the dense Hessian are exactly zero", arguments: ModelCase.all)
    func betweenTaskBlocksVanish(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 22)
        let h = objective.hessian(at: w)
        let blocks = objective.model.layout.taskBlocks
        for (k, first) in blocks.enumerated() {
            for second in blocks[(k + 1)...] {
                let between = NumericalChecks.block(of: h, rows: first.range, columns: second.range)
                #expect(between.elements.allSatisfy { $0 == 0 })
            }
        }
    }

    @Test("Hessian blocks of a model with a shared part are not block-diagonal", arguments: ModelCase.all)
    func couplingBlocksAreNonZero(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 23)
        let blocks = objective.hessianBlocks(at: w)
        let hasSharedPart = objective.model.layout.sharedBlock.count > 0
        for coupling in blocks.couplingBlocks {
            #expect(coupling.elements.contains { $0 != 0 } == hasSharedPart)
        }
    }

    @Test(
        "Gauss–Newton products equal Hessian products for models whose outputs are linear in w",
        arguments: ModelCase.singleLayer)
    func gaussNewtonEqualsHessianForLinearOutputs(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 24)
        let gaussNewton = objective.productCurvature(.gaussNewton, at: w)
        let hessian = objective.productCurvature(.hessian, at: w)
        #expect(NumericalChecks.relativeError(gaussNewton, hessian) <= Self.roundingTolerance)
        #expect(NumericalChecks.relativeError(objective.gaussNewtonMatrix(at: w), hessian) <= Self.roundingTolerance)
    }

    @Test(
        "Gauss–Newton differs from the Hessian and stays positive semi-definite for networks",
        arguments: ModelCase.networks)
    func gaussNewtonIsSemidefiniteForNetworks(_ modelCase: ModelCase) throws {
        var objective = try modelCase.makeObjective()
        objective = try MultitaskObjective(
            model: objective.model, dataset: objective.dataset, regularization: Regularization(l2: 0))
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 25, scale: 1.5)
        let gaussNewton = objective.gaussNewtonMatrix(at: w)
        let eigenvalues = try SymmetricEigendecomposition(gaussNewton, computingEigenvectors: false).eigenvalues
        let largest = eigenvalues.last!
        #expect(eigenvalues.first! >= -Self.semidefiniteSlack * largest)
        #expect(NumericalChecks.relativeError(gaussNewton, objective.hessian(at: w)) > 1e-3)
    }
}
