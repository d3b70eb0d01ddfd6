import CLAPACKE
import Foundation

// The only Swift file that calls LAPACKE. Matrices are passed row-major (LAPACK_ROW_MAJOR);
// LAPACKE transposes internally where the Fortran routine needs column-major storage, an O(n²)
// copy beside the O(n³) work.

/// The Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix.
///
/// Only the lower triangle of the input is read. Use it for damped Hessians H + δI: a matrix that
/// is not positive definite is reported with the order of the failing leading minor, which is the
/// signal to add damping or to switch to the Gauss–Newton matrix.
public struct CholeskyFactorization: Sendable {
    /// The `n × n` row-major factor; the strict upper triangle is zero.
    public let lower: Matrix

    /// The order n of the factorised matrix.
    public var order: Int { lower.rows }

    /// Factorises `matrix` (DPOTRF), reading its lower triangle.
    ///
    /// A symmetric row-major matrix read column-major is the same matrix, and its row-major lower
    /// factor L read column-major is the upper factor U = Lᵀ of A = UᵀU. So the factorisation runs
    /// in place in LAPACK's own column-major order with uplo 'U': no transposed copy.
    ///
    /// - Throws: `LinearAlgebraError.Code.notPositiveDefinite` with LAPACK's `info` (the order of
    ///   the leading minor that is not positive definite).
    /// - Complexity: n³/3 floating-point operations.
    public init(_ matrix: Matrix) throws {
        precondition(matrix.isSquare, "Cholesky needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        var factor = matrix
        let n = matrix.rows
        let info = factor.elements.withUnsafeMutableBufferPointer { buffer in
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, lapackChar("U"), lapackInt(n), buffer.baseAddress, lapackInt(max(n, 1)))
        }
        try checkArgumentInfo(info, routine: "dpotrf")
        if info > 0 {
            throw LinearAlgebraError(
                .notPositiveDefinite,
                "The \(n)×\(n) matrix is not positive definite (leading minor of order \(info) failed). "
                    + "Add damping or use the Gauss–Newton matrix.",
                lapackInfo: Int(info))
        }
        factor.elements.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<n where row + 1 < n {
                (buffer.baseAddress! + row * n + row + 1).update(repeating: 0, count: n - row - 1)
            }
        }
        self.lower = factor
    }

    /// Solves A·x = b for each ROW b of `rows` (`m × n`, row-major), in place of a copy: the rows
    /// read column-major are the n × m right-hand-side matrix LAPACK expects (DPOTRS, uplo 'U' on
    /// the column-major view of the factor).
    ///
    /// - Precondition: `rows.columns == order`.
    /// - Complexity: 2n²·m floating-point operations, no transposition.
    public func solve(rows: Matrix) -> Matrix {
        precondition(rows.columns == order, "Right-hand sides have \(rows.columns) columns, matrix order is \(order)")
        guard order > 0, rows.rows > 0 else { return rows }
        var x = rows
        let info = lower.elements.withUnsafeBufferPointer { factor in
            x.elements.withUnsafeMutableBufferPointer { solution in
                LAPACKE_dpotrs(
                    LAPACK_COL_MAJOR, lapackChar("U"), lapackInt(order), lapackInt(rows.rows), factor.baseAddress,
                    lapackInt(order), solution.baseAddress, lapackInt(order))
            }
        }
        precondition(info == 0, "dpotrs rejected argument \(-info)")
        return x
    }

    /// Solves A·x = b for one right-hand side (DPOTRS).
    ///
    /// - Precondition: `b.count == order`.
    /// - Complexity: 2n² floating-point operations.
    public func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == order, "Right-hand side has \(b.count) elements, matrix order is \(order)")
        return solve(Matrix(rows: order, columns: 1, elements: b)).elements
    }

    /// Solves A·X = B for the columns of B (DPOTRS).
    ///
    /// - Precondition: `b.rows == order`.
    /// - Complexity: 2n²·m floating-point operations for m right-hand sides.
    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == order, "Right-hand side has \(b.rows) rows, matrix order is \(order)")
        guard order > 0, b.columns > 0 else { return b }
        var x = b
        let info = lower.elements.withUnsafeBufferPointer { factor in
            x.elements.withUnsafeMutableBufferPointer { solution in
                LAPACKE_dpotrs(
                    LAPACK_ROW_MAJOR, lapackChar("L"), lapackInt(order), lapackInt(b.columns),
                    factor.baseAddress, lapackInt(order), solution.baseAddress, lapackInt(b.columns))
            }
        }
        precondition(info == 0, "dpotrs rejected argument \(-info)")
        return x
    }

    /// log det A = 2 Σ log Lᵢᵢ.
    public var logDeterminant: Double {
        (0..<order).reduce(0) { $0 + 2 * log(lower[$1, $1]) }
    }
}

/// The eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric matrix.
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors as the columns of an `n × n` row-major matrix, in the order of
    /// `eigenvalues`.
    public let eigenvectors: Matrix

    /// Decomposes `matrix`, reading its lower triangle (DSYEVD, divide and conquer).
    ///
    /// - Throws: `LinearAlgebraError.Code.eigensolverDidNotConverge` with LAPACK's `info`.
    /// - Complexity: about 9n³ floating-point operations with eigenvectors.
    public init(_ matrix: Matrix, computingEigenvectors: Bool = true) throws {
        precondition(matrix.isSquare, "Eigendecomposition needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        let n = matrix.rows
        var vectors = matrix
        var values = [Double](repeating: 0, count: n)
        let info = vectors.elements.withUnsafeMutableBufferPointer { buffer in
            values.withUnsafeMutableBufferPointer { w in
                LAPACKE_dsyevd(
                    LAPACK_ROW_MAJOR, lapackChar(computingEigenvectors ? "V" : "N"), lapackChar("L"),
                    lapackInt(n), buffer.baseAddress, lapackInt(max(n, 1)), w.baseAddress)
            }
        }
        try checkArgumentInfo(info, routine: "dsyevd")
        if info > 0 {
            throw LinearAlgebraError(
                .eigensolverDidNotConverge,
                "The symmetric eigensolver did not converge on a \(n)×\(n) matrix (\(info) off-diagonal "
                    + "elements did not vanish). Check the matrix for NaN or huge entries.",
                lapackInfo: Int(info))
        }
        self.eigenvalues = values
        self.eigenvectors = computingEigenvectors ? vectors : Matrix(rows: 0, columns: 0)
    }
}

/// The LU factorisation with partial pivoting P·A = L·U of a general square matrix.
public struct LUFactorization: Sendable {
    private let factors: Matrix
    private let pivots: [Int32]

    /// The order n of the factorised matrix.
    public var order: Int { factors.rows }

    /// Factorises `matrix` (DGETRF).
    ///
    /// - Throws: `LinearAlgebraError.Code.singular` when a pivot is exactly zero.
    /// - Complexity: 2n³/3 floating-point operations.
    public init(_ matrix: Matrix) throws {
        precondition(matrix.isSquare, "LU needs a square matrix, got \(matrix.rows)×\(matrix.columns)")
        let n = matrix.rows
        var factors = matrix
        var pivots = [Int32](repeating: 0, count: n)
        let info = factors.elements.withUnsafeMutableBufferPointer { buffer in
            pivots.withUnsafeMutableBufferPointer { ipiv in
                LAPACKE_dgetrf(
                    LAPACK_ROW_MAJOR, lapackInt(n), lapackInt(n), buffer.baseAddress, lapackInt(max(n, 1)),
                    ipiv.baseAddress)
            }
        }
        try checkArgumentInfo(info, routine: "dgetrf")
        if info > 0 {
            throw LinearAlgebraError(
                .singular, "The \(n)×\(n) matrix is singular (U[\(info), \(info)] is exactly zero).",
                lapackInfo: Int(info))
        }
        self.factors = factors
        self.pivots = pivots
    }

    /// Solves A·X = B (DGETRS).
    ///
    /// - Precondition: `b.rows == order`.
    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == order, "Right-hand side has \(b.rows) rows, matrix order is \(order)")
        guard order > 0, b.columns > 0 else { return b }
        var x = b
        let info = factors.elements.withUnsafeBufferPointer { lu in
            pivots.withUnsafeBufferPointer { ipiv in
                x.elements.withUnsafeMutableBufferPointer { solution in
                    LAPACKE_dgetrs(
                        LAPACK_ROW_MAJOR, lapackChar("N"), lapackInt(order), lapackInt(b.columns), lu.baseAddress,
                        lapackInt(order), ipiv.baseAddress, solution.baseAddress, lapackInt(b.columns))
                }
            }
        }
        precondition(info == 0, "dgetrs rejected argument \(-info)")
        return x
    }

    /// Solves A·x = b for one right-hand side.
    public func solve(_ b: [Double]) -> [Double] {
        solve(Matrix(rows: b.count, columns: 1, elements: b)).elements
    }
}

// MARK: - LAPACKE plumbing

/// A negative `info` names an illegal argument: a bug in this file, never the user's data.
/// LAPACKE reports an allocation failure as -1010, which the world can cause.
private func checkArgumentInfo(_ info: Int32, routine: String) throws {
    if info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR {
        throw LinearAlgebraError(
            .outOfMemory, "LAPACK \(routine) could not allocate its workspace.", lapackInfo: Int(info))
    }
    precondition(info >= 0, "LAPACK \(routine) rejected argument \(-info)")
}

private func lapackInt(_ value: Int) -> Int32 {
    precondition(value >= 0 && value <= Int(Int32.max), "Dimension \(value) exceeds 32-bit LAPACK")
    return Int32(value)
}

private func lapackChar(_ character: Unicode.Scalar) -> CChar {
    CChar(character.value)
}
