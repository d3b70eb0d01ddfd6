/// (H + δI)⁻¹ v by Cholesky of the dense matrix.
///
/// The reference every other solver is checked against. H is the operator's dense matrix (or
/// given), damped, factorised once, and every query is solved against the same factor.
///
/// - Complexity: the operator's `denseMatrix()` (for the objective's curvature, a batched
///   assembly costing about one DGEMM pass over examples × P; P products for a generic
///   operator), P³/3 for the factor, 2P² per query; P² memory.
public enum DenseInverseHessian {
    /// Solves for each row of `rightHandSides` (`queries × P`).
    ///
    /// - Throws: `InfluenceError.Code.indefiniteHessian` with the smallest eigenvalue and a
    ///   suggested damping when H + δI is not positive definite.
    public static func solve(
        _ curvatureOperator: some SymmetricOperator, rightHandSides: Matrix, damping: Double,
        curvature: Curvature = .hessian
    ) throws -> InverseHessianProducts {
        try solve(
            denseMatrix: try curvatureOperator.denseMatrix(), rightHandSides: rightHandSides, damping: damping,
            curvature: curvature)
    }

    /// Solves with an already assembled symmetric matrix (undamped).
    public static func solve(
        denseMatrix: Matrix, rightHandSides: Matrix, damping: Double, curvature: Curvature = .hessian
    ) throws -> InverseHessianProducts {
        precondition(rightHandSides.columns == denseMatrix.rows, "Right-hand sides must have P columns")
        let ((vectors, damped), seconds) = try timed {
            let damped = DenseSymmetricOperator(denseMatrix.addingToDiagonal(damping))
            let factor: CholeskyFactorization
            do {
                factor = try CholeskyFactorization(damped.matrix)
            } catch {
                throw CurvatureDiagnosis.indefiniteError(dampedMatrix: damped.matrix, damping: damping, context: "H")
            }
            return (factor.solve(rows: rightHandSides), damped)
        }
        let residuals = try relativeResiduals(of: damped, solutions: vectors, rightHandSides: rightHandSides)
        let report = SolveReport(
            method: .dense, curvature: curvature, damping: damping,
            iterations: Array(repeating: 0, count: rightHandSides.rows), relativeResiduals: residuals, seconds: seconds)
        return InverseHessianProducts(vectors: vectors, report: report)
    }
}
