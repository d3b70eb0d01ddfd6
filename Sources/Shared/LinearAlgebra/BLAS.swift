import COpenBLAS

// The only Swift file that calls CBLAS. Every routine takes row-major storage and checks
// dimensions with preconditions before the call: a mismatch is a programmer error.

/// Low-level row-major BLAS kernels on raw buffers, for hot loops that must not allocate.
///
/// `a` is `m × k` after `op`, `b` is `k × n` after `op`, `c` is `m × n`; leading dimensions are
/// row strides in elements. No C type appears in these signatures.
public enum DenseKernels {
    /// C ← α·op(A)·op(B) + β·C (DGEMM).
    ///
    /// - Complexity: 2·m·n·k floating-point operations.
    @inlinable
    public static func multiply(
        transposingA: Bool, transposingB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_dgemm(
            CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans,
            transposingB ? CblasTrans : CblasNoTrans,
            blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb),
            beta, c, blasInt(ldc))
    }

    /// y ← α·op(A)·x + β·y (DGEMV) for a row-major `rows × columns` matrix A.
    @inlinable
    public static func multiplyVector(
        transposingA: Bool, rows: Int, columns: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, x: UnsafePointer<Double>,
        beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        guard rows > 0, columns > 0 else { return }
        cblas_dgemv(
            CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans, blasInt(rows), blasInt(columns),
            alpha, a, blasInt(lda), x, 1, beta, y, 1)
    }

    /// xᵀy over `count` contiguous elements (DDOT).
    @inlinable
    public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        count > 0 ? cblas_ddot(blasInt(count), x, 1, y, 1) : 0
    }

    /// y ← α·x + y over `count` contiguous elements (DAXPY).
    @inlinable
    public static func addScaled(
        _ x: UnsafePointer<Double>, scale alpha: Double, to y: UnsafeMutablePointer<Double>, count: Int
    ) {
        if count > 0 { cblas_daxpy(blasInt(count), alpha, x, 1, y, 1) }
    }

    @usableFromInline
    static func blasInt(_ value: Int) -> Int32 {
        precondition(value >= 0 && value <= Int(Int32.max), "Dimension \(value) exceeds 32-bit BLAS")
        return Int32(value)
    }
}

// MARK: - Matrix-level operations

/// op(A)·op(B)·scale, where op transposes when asked.
///
/// - Precondition: the inner dimensions agree.
/// - Complexity: 2·m·n·k floating-point operations through DGEMM.
public func matrixProduct(
    _ a: Matrix, _ b: Matrix, transposingA: Bool = false, transposingB: Bool = false, scale: Double = 1
) -> Matrix {
    let m = transposingA ? a.columns : a.rows
    let n = transposingB ? b.rows : b.columns
    var c = Matrix(rows: m, columns: n)
    accumulateMatrixProduct(
        a, b, into: &c, transposingA: transposingA, transposingB: transposingB,
        scale: scale, existingScale: 0)
    return c
}

/// C ← scale·op(A)·op(B) + existingScale·C.
///
/// - Precondition: op(A) is `C.rows × k`, op(B) is `k × C.columns`.
public func accumulateMatrixProduct(
    _ a: Matrix, _ b: Matrix, into c: inout Matrix,
    transposingA: Bool = false, transposingB: Bool = false,
    scale: Double = 1, existingScale: Double = 1
) {
    let m = transposingA ? a.columns : a.rows
    let k = transposingA ? a.rows : a.columns
    let kB = transposingB ? b.columns : b.rows
    let n = transposingB ? b.rows : b.columns
    precondition(k == kB, "Inner dimensions differ: op(A) is \(m)×\(k), op(B) is \(kB)×\(n)")
    precondition(c.rows == m && c.columns == n, "Product is \(m)×\(n) but C is \(c.rows)×\(c.columns)")
    guard k > 0 else {
        for index in c.elements.indices { c.elements[index] *= existingScale }
        return
    }
    a.elements.withUnsafeBufferPointer { pa in
        b.elements.withUnsafeBufferPointer { pb in
            c.elements.withUnsafeMutableBufferPointer { pc in
                DenseKernels.multiply(
                    transposingA: transposingA, transposingB: transposingB, m: m, n: n, k: k,
                    alpha: scale, a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                    beta: existingScale, c: pc.baseAddress!, ldc: n)
            }
        }
    }
}

/// op(A)·x.
///
/// - Precondition: `x.count` equals the columns of op(A).
public func matrixVectorProduct(_ a: Matrix, _ x: [Double], transposingA: Bool = false) -> [Double] {
    let inner = transposingA ? a.rows : a.columns
    let outer = transposingA ? a.columns : a.rows
    precondition(x.count == inner, "op(A) has \(inner) columns but x has \(x.count) elements")
    var y = [Double](repeating: 0, count: outer)
    guard inner > 0 else { return y }
    a.elements.withUnsafeBufferPointer { pa in
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                DenseKernels.multiplyVector(
                    transposingA: transposingA, rows: a.rows, columns: a.columns, alpha: 1,
                    a: pa.baseAddress!, lda: a.columns, x: px.baseAddress!, beta: 0, y: py.baseAddress!)
            }
        }
    }
    return y
}

/// C ← scale·op(A)ᵀ·op(A) + existingScale·C, with both triangles of C filled (DSYRK).
///
/// With `transposing == false` this adds scale·AᵀA (C is `A.columns` square, the Gram matrix of
/// the columns); with `true` it adds scale·AAᵀ (C is `A.rows` square).
///
/// - Complexity: n²·k floating-point operations, half of the equivalent DGEMM.
public func symmetricRankUpdate(
    _ c: inout Matrix, adding a: Matrix, transposing: Bool = false, scale: Double = 1, existingScale: Double = 1
) {
    let n = transposing ? a.rows : a.columns
    let k = transposing ? a.columns : a.rows
    precondition(c.rows == n && c.columns == n, "Update is \(n)×\(n) but C is \(c.rows)×\(c.columns)")
    guard n > 0 else { return }
    a.elements.withUnsafeBufferPointer { pa in
        c.elements.withUnsafeMutableBufferPointer { pc in
            // Row-major AᵀA is CBLAS "Trans" with A as stored (k × n).
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, transposing ? CblasNoTrans : CblasTrans,
                DenseKernels.blasInt(n), DenseKernels.blasInt(k), scale, pa.baseAddress!,
                DenseKernels.blasInt(a.columns), existingScale, pc.baseAddress!, DenseKernels.blasInt(n))
        }
    }
    mirrorUpperTriangle(&c)
}

/// Copies the upper triangle of a square matrix onto its lower triangle.
func mirrorUpperTriangle(_ c: inout Matrix) {
    let n = c.rows
    c.elements.withUnsafeMutableBufferPointer { pc in
        for row in 1..<max(n, 1) {
            for column in 0..<row {
                pc[row * n + column] = pc[column * n + row]
            }
        }
    }
}

// MARK: - Vector operations

/// xᵀy.
///
/// - Precondition: equal lengths.
public func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
    return x.withUnsafeBufferPointer { px in
        y.withUnsafeBufferPointer { py in
            guard let bx = px.baseAddress, let by = py.baseAddress else { return 0 }
            return DenseKernels.dot(bx, by, count: x.count)
        }
    }
}

/// y ← y + scale·x.
///
/// - Precondition: equal lengths.
public func addScaled(_ x: [Double], scale: Double, to y: inout [Double]) {
    precondition(x.count == y.count, "addScaled: lengths \(x.count) and \(y.count) differ")
    x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
            guard let bx = px.baseAddress, let by = py.baseAddress else { return }
            DenseKernels.addScaled(bx, scale: scale, to: by, count: x.count)
        }
    }
}

/// The Euclidean norm ‖x‖₂, computed without overflow (DNRM2).
public func euclideanNorm(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { px in
        guard let bx = px.baseAddress else { return 0 }
        return cblas_dnrm2(DenseKernels.blasInt(x.count), bx, 1)
    }
}

// MARK: - OpenBLAS runtime

/// The OpenBLAS library this process runs on: which kernels it picked and how many threads it uses.
public enum BLASRuntime {
    /// The core type whose kernels OpenBLAS selected at load time, such as "Haswell" or "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string (version, DYNAMIC_ARCH, thread limit).
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// Threads OpenBLAS uses for level-3 routines.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the threads OpenBLAS uses; workers that share a machine set 1.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "OpenBLAS needs at least one thread")
        openblas_set_num_threads(Int32(count))
    }
}
