import Testing

@testable import Shared

@Suite("Inverse-Hessian solvers agree with the dense Cholesky solve")
struct InverseHessianSolverTests {
    /// Direct solves differ only by round-off amplified by κ ≈ 10²: far below 1e-8 relative.
    static let agreement = 1e-8

    /// A random positive definite arrowhead matrix: each block pair comes from a Gram matrix of
    /// random features, so the whole matrix is JᵀJ + shift·I with the arrowhead sparsity.
    static func arrowhead(taskSizes: [Int], sharedSize: Int, seed: UInt64) -> HessianBlocks {
        var shared = Matrix(rows: sharedSize, columns: sharedSize)
        var taskBlocks: [Matrix] = []
        var couplings: [Matrix] = []
        for (task, size) in taskSizes.enumerated() {
            let features = RandomMatrices.normal(
                rows: size + sharedSize + 4, columns: size + sharedSize, seed: seed + UInt64(task))
            let gram = RandomMatrices.naiveProduct(features.transposed(), features)
            taskBlocks.append(gram.block(rows: 0..<size, columns: 0..<size).addingToDiagonal(0.3))
            couplings.append(gram.block(rows: 0..<size, columns: size..<(size + sharedSize)))
            let sharedPart = gram.block(rows: size..<(size + sharedSize), columns: size..<(size + sharedSize))
            shared.elements = zip(shared.elements, sharedPart.elements).map(+)
        }
        return HessianBlocks(
            taskBlocks: taskBlocks, couplingBlocks: couplings, sharedBlock: shared.addingToDiagonal(0.3))
    }

    static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        let scale = b.elements.reduce(0) { max($0, abs($1)) }
        return a.maxAbsoluteDifference(to: b) / scale
    }

    @Test("Arrowhead operator products equal products with the assembled dense matrix")
    func arrowheadOperatorMatchesDense() {
        let blocks = Self.arrowhead(taskSizes: [3, 5, 2], sharedSize: 4, seed: 1)
        let vectors = RandomMatrices.normal(rows: 3, columns: blocks.dimension, seed: 2)
        let expected = RandomMatrices.naiveProduct(vectors, blocks.assembled())
        #expect(Self.relativeDifference(blocks.apply(toRows: vectors), expected) < 1e-12)
    }

    @Test("Dense, arrowhead, CG and LiSSA give the same (H + δI)⁻¹v", arguments: [0.0, 0.5])
    func solversAgree(damping: Double) throws {
        let blocks = Self.arrowhead(taskSizes: [3, 5, 2, 4], sharedSize: 4, seed: 3)
        let rightHandSides = RandomMatrices.normal(rows: 3, columns: blocks.dimension, seed: 4)
        let dense = try DenseInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: damping)
        let arrowhead = try ArrowheadInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: damping)
        let cg = try ConjugateGradient.solve(blocks, rightHandSides: rightHandSides, damping: damping)
        let lissa = try LiSSA.solve(
            blocks, rightHandSides: rightHandSides, damping: damping,
            configuration: .init(depth: 200_000, tolerance: 1e-13))
        #expect(Self.relativeDifference(arrowhead.vectors, dense.vectors) < Self.agreement)
        #expect(Self.relativeDifference(cg.vectors, dense.vectors) < Self.agreement)
        #expect(Self.relativeDifference(lissa.vectors, dense.vectors) < 1e-7)
        #expect(dense.report.maximumRelativeResidual < 1e-12)
        #expect(cg.report.iterations.allSatisfy { $0 > 0 && $0 <= 3 * blocks.dimension })
        #expect(arrowhead.report.damping == damping && arrowhead.report.method == .arrowhead)
    }

    @Test("Without a shared block the arrowhead solve is block-diagonal")
    func arrowheadWithoutSharedBlock() throws {
        let blocks = Self.arrowhead(taskSizes: [3, 2], sharedSize: 0, seed: 5)
        let rightHandSides = RandomMatrices.normal(rows: 2, columns: blocks.dimension, seed: 6)
        let dense = try DenseInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: 0)
        let arrowhead = try ArrowheadInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: 0)
        #expect(Self.relativeDifference(arrowhead.vectors, dense.vectors) < Self.agreement)
    }

    @Test("An indefinite Hessian is reported with its smallest eigenvalue and a damping that cures it")
    func indefiniteHessianIsDiagnosed() throws {
        var blocks = Self.arrowhead(taskSizes: [3, 3], sharedSize: 2, seed: 7)
        blocks.sharedBlock = blocks.sharedBlock.addingToDiagonal(-200)
        let rightHandSides = RandomMatrices.normal(rows: 1, columns: blocks.dimension, seed: 8)
        let smallest = try SymmetricEigendecomposition(blocks.assembled(), computingEigenvectors: false).eigenvalues[
            0]
        #expect(smallest < 0)
        for solve in [
            { try DenseInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: 0) },
            { try ArrowheadInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: 0) },
        ] {
            #expect {
                try solve()
            } throws: { error in
                guard let failure = error as? InfluenceError, failure.code == .indefiniteHessian,
                    let suggestion = failure.suggestedDamping
                else { return false }
                return suggestion > -smallest && failure.message.contains("--damping")
            }
        }
        let dense = try DenseInverseHessian.solve(
            blocks, rightHandSides: rightHandSides, damping: -1.01 * smallest + 1e-3)
        #expect(dense.report.maximumRelativeResidual < 1e-9)
    }

    @Test("CG reports negative curvature instead of returning garbage")
    func conjugateGradientDetectsNegativeCurvature() {
        let indefinite = DenseSymmetricOperator(.diagonal([2, 1, -1, 3]))
        let rightHandSides = Matrix(rows: 1, columns: 4, elements: [1, 1, 1, 1])
        #expect(throws: InfluenceError.self) {
            try ConjugateGradient.solve(indefinite, rightHandSides: rightHandSides, damping: 0)
        }
    }

    @Test("CG that hits its iteration cap throws solverDidNotConverge")
    func conjugateGradientRefusesUnconverged() {
        let blocks = Self.arrowhead(taskSizes: [6, 6], sharedSize: 6, seed: 9)
        let rightHandSides = RandomMatrices.normal(rows: 1, columns: blocks.dimension, seed: 10)
        #expect {
            try ConjugateGradient.solve(
                blocks, rightHandSides: rightHandSides, damping: 0, configuration: .init(maximumIterations: 2))
        } throws: { error in
            (error as? InfluenceError)?.code == .solverDidNotConverge
        }
    }
}
