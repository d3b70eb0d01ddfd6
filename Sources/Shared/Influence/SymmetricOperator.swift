/// A symmetric linear map v ↦ M·v on R^P, known only through its products.
///
/// The Hessian H = ∇²L(ŵ) and the Gauss–Newton matrix G are such operators: models supply them
/// through exact Hessian-vector products (R-operator) without forming the P × P matrix. Vectors
/// are stored as the ROWS of a row-major `Matrix` (`count × dimension`), so each vector is
/// contiguous.
///
/// Products may throw: a distributed operator sums them over workers, and a run of workers can
/// fail (`DistributedCurvatureOperator`). Operators need not be `Sendable`, since one may own a
/// socket bound to its thread; the in-process ones are.
public protocol SymmetricOperator {
    /// P, the length of every vector.
    var dimension: Int { get }

    /// M·v for each row v of `vectors` (`count × dimension`), returned in the same layout.
    ///
    /// - Throws: what the operator's products can fail with; in-process operators never throw.
    func apply(toRows vectors: Matrix) throws -> Matrix

    /// The dense `P × P` matrix; the default assembles it from P products.
    func denseMatrix() throws -> Matrix
}

extension SymmetricOperator {
    /// M·v for one vector.
    public func apply(_ vector: [Double]) throws -> [Double] {
        try apply(toRows: Matrix(rows: 1, columns: vector.count, elements: vector)).elements
    }

    /// The dense P × P matrix, assembled from P products with unit vectors and symmetrised as
    /// (M + Mᵀ)/2 to remove round-off asymmetry.
    ///
    /// - Complexity: P operator products; P² memory. For small models only.
    public func denseMatrix() throws -> Matrix {
        try apply(toRows: .identity(dimension)).symmetrized()
    }
}

/// A dense symmetric matrix seen as an operator, plus δI.
public struct DenseSymmetricOperator: SymmetricOperator, Sendable {
    public let matrix: Matrix

    public init(_ matrix: Matrix) {
        precondition(matrix.isSquare, "A symmetric operator needs a square matrix")
        self.matrix = matrix
    }

    public var dimension: Int { matrix.rows }

    public func apply(toRows vectors: Matrix) -> Matrix {
        matrixProduct(vectors, matrix, transposingB: true)
    }
}

/// M + δI for an operator M and a damping δ ≥ 0.
public struct DampedOperator<Base: SymmetricOperator>: SymmetricOperator {
    public let base: Base
    public let damping: Double

    public init(_ base: Base, damping: Double) {
        precondition(damping >= 0 && damping.isFinite, "Damping must be finite and non-negative, got \(damping)")
        self.base = base
        self.damping = damping
    }

    public var dimension: Int { base.dimension }

    public func apply(toRows vectors: Matrix) throws -> Matrix {
        var result = try base.apply(toRows: vectors)
        if damping != 0 {
            for index in result.elements.indices {
                result.elements[index] += damping * vectors.elements[index]
            }
        }
        return result
    }
}

extension DampedOperator: Sendable where Base: Sendable {}
