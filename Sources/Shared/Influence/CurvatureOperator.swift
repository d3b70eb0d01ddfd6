/// The curvature of a multitask objective at fixed parameters, as a symmetric operator.
///
/// Products are exact: Hessian-vector products by the R-operator, or Gauss–Newton-vector
/// products, each costing about four gradient evaluations. Rows are independent products,
/// computed concurrently.
public struct CurvatureOperator: SymmetricOperator, Sendable {
    public let objective: MultitaskObjective
    public let parameters: [Double]
    public let curvature: Curvature

    public init(objective: MultitaskObjective, parameters: [Double], curvature: Curvature) {
        precondition(parameters.count == objective.parameterCount, "Parameters must have P entries")
        self.objective = objective
        self.parameters = parameters
        self.curvature = curvature
    }

    public var dimension: Int { objective.parameterCount }

    /// (H or G)·v for each row v, the rows on every core at once (`ConcurrentRows`): each
    /// product is computed alone on one BLAS thread, so the result does not depend on the
    /// number of cores.
    public func apply(toRows vectors: Matrix) -> Matrix {
        ConcurrentRows.matrix(count: vectors.rows, columns: vectors.columns) { row in
            product(vectors.row(row))
        }
    }

    private func product(_ v: [Double]) -> [Double] {
        switch curvature {
        case .hessian: objective.hessianVectorProduct(at: parameters, v)
        case .gaussNewton: objective.gaussNewtonVectorProduct(at: parameters, v)
        }
    }

    /// The dense matrix, assembled directly: from Gram matrices when the outputs are linear in w,
    /// by the batched R-operator for networks (`MultitaskObjective.hessian(at:)`), never from P
    /// separate products.
    public func denseMatrix() -> Matrix {
        switch curvature {
        case .hessian: objective.hessian(at: parameters)
        case .gaussNewton: objective.gaussNewtonMatrix(at: parameters)
        }
    }
}
