import Foundation
import Testing

@testable import Shared

@Suite("Cholesky, LU and symmetric eigendecomposition through LAPACK")
struct FactorizationTests {
    /// Residuals of backward-stable solves on matrices with condition number ≲ 1e3, entries O(10).
    static let solveTolerance = 1e-10

    @Test("Cholesky solve of an SPD system has a tiny residual and L·Lᵀ reproduces A")
    func choleskySolves() throws {
        let a = RandomMatrices.positiveDefinite(order: 12, shift: 0.5, seed: 21)
        let b = RandomMatrices.normal(rows: 12, columns: 3, seed: 22)
        let cholesky = try CholeskyFactorization(a)
        let x = cholesky.solve(b)
        #expect(RandomMatrices.naiveProduct(a, x).maxAbsoluteDifference(to: b) < Self.solveTolerance)
        let reassembled = RandomMatrices.naiveProduct(cholesky.lower, cholesky.lower.transposed())
        #expect(reassembled.maxAbsoluteDifference(to: a) < Self.solveTolerance)
        #expect(cholesky.lower[0, 11] == 0)

        let single = cholesky.solve(b.column(1))
        #expect(zip(single, x.column(1)).allSatisfy { abs($0 - $1) < Self.solveTolerance })
    }

    @Test("Cholesky of an indefinite matrix throws notPositiveDefinite with LAPACK's minor order")
    func choleskyRejectsIndefinite() {
        var a = Matrix.identity(4)
        a[2, 2] = -1
        #expect {
            try CholeskyFactorization(a)
        } throws: { error in
            let failure = error as? LinearAlgebraError
            return failure?.code == .notPositiveDefinite && failure?.lapackInfo == 3
                && failure?.message.contains("damping") == true
        }
    }

    @Test("Log-determinant from Cholesky equals the sum of log eigenvalues")
    func logDeterminantMatchesEigenvalues() throws {
        let a = RandomMatrices.positiveDefinite(order: 8, shift: 1, seed: 23)
        let eigen = try SymmetricEigendecomposition(a, computingEigenvectors: false)
        let expected = eigen.eigenvalues.reduce(0) { $0 + log($1) }
        #expect(abs(try CholeskyFactorization(a).logDeterminant - expected) < Self.solveTolerance)
    }

    @Test("Eigendecomposition: ascending eigenvalues, orthonormal vectors, A·v = λ·v")
    func eigendecompositionReassembles() throws {
        let a = RandomMatrices.positiveDefinite(order: 10, shift: -2, seed: 24)
        let eigen = try SymmetricEigendecomposition(a)
        #expect(zip(eigen.eigenvalues, eigen.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 })
        let v = eigen.eigenvectors
        #expect(
            RandomMatrices.naiveProduct(v.transposed(), v).maxAbsoluteDifference(to: .identity(10))
                < Self.solveTolerance)
        let av = RandomMatrices.naiveProduct(a, v)
        let vLambda = RandomMatrices.naiveProduct(v, .diagonal(eigen.eigenvalues))
        #expect(av.maxAbsoluteDifference(to: vLambda) < Self.solveTolerance)
    }

    @Test("LU solves a non-symmetric system and reports an exactly singular one")
    func luSolvesAndDetectsSingularity() throws {
        let a = RandomMatrices.normal(rows: 9, columns: 9, seed: 25)
        let b = RandomMatrices.normal(rows: 9, columns: 2, seed: 26)
        let x = try LUFactorization(a).solve(b)
        #expect(RandomMatrices.naiveProduct(a, x).maxAbsoluteDifference(to: b) < Self.solveTolerance)

        let singular = Matrix(rowArrays: [[1, 2], [2, 4]])
        #expect {
            try LUFactorization(singular)
        } throws: { error in
            (error as? LinearAlgebraError)?.code == .singular
        }
    }
}

@Suite("Cholesky solves for right-hand sides stored as rows")
struct CholeskyRowSolveTests {
    @Test("Solving rows equals solving the transposed columns, and each row satisfies A·x = b")
    func rowSolveMatchesColumnSolve() throws {
        let a = RandomMatrices.positiveDefinite(order: 9, shift: 0.5, seed: 31)
        let rows = RandomMatrices.normal(rows: 4, columns: 9, seed: 32)
        let cholesky = try CholeskyFactorization(a)
        let byRows = cholesky.solve(rows: rows)
        let byColumns = cholesky.solve(rows.transposed()).transposed()
        // Both call DPOTRS on the same factor; only the layout of B differs.
        #expect(byRows.maxAbsoluteDifference(to: byColumns) < FactorizationTests.solveTolerance)
        let residual = RandomMatrices.naiveProduct(byRows, a).maxAbsoluteDifference(to: rows)
        #expect(residual < FactorizationTests.solveTolerance)
    }
}
