import Foundation

/// Explains an indefinite or singular curvature matrix and suggests a damping that cures it.
public enum CurvatureDiagnosis {
    /// A damping δ' such that M + δ'I is comfortably positive definite, given the extreme
    /// eigenvalues of M + δI (δ the damping already applied).
    ///
    /// δ' = δ − 1.01·λ_min + 10⁻⁶·|λ_max|: it lifts the smallest eigenvalue just above zero and
    /// bounds the condition number near 10⁶, small enough for a double-precision solve.
    public static func suggestedDamping(smallest: Double, largest: Double, current damping: Double) -> Double {
        damping - 1.01 * min(smallest, 0) + 1e-6 * max(abs(largest), 1e-12)
    }

    /// The error to throw for a dense matrix (already damped by `damping`) that Cholesky
    /// refused, with its extreme eigenvalues computed exactly.
    ///
    /// - Parameter context: what the matrix is, e.g. "the Hessian" or "block A_3".
    public static func indefiniteError(dampedMatrix: Matrix, damping: Double, context: String) -> InfluenceError {
        let eigenvalues = (try? SymmetricEigendecomposition(dampedMatrix, computingEigenvectors: false))?.eigenvalues
        let smallest = eigenvalues?.first ?? .nan
        let largest = eigenvalues?.last ?? .nan
        let suggestion = suggestedDamping(smallest: smallest, largest: largest, current: damping)
        return InfluenceError(
            .indefiniteHessian,
            "\(context) plus damping \(damping) is not positive definite: its smallest eigenvalue is "
                + "\(smallest) (largest \(largest)). Use --damping \(shortNumber(suggestion)) or more, "
                + "or --curvature gauss-newton.",
            smallestEigenvalue: smallest, suggestedDamping: suggestion)
    }

    static func shortNumber(_ value: Double) -> String {
        value.isFinite ? String(format: "%.3g", value) : "\(value)"
    }
}
