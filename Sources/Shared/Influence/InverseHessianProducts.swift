import Foundation

/// Which algorithm computed the inverse-Hessian products.
public enum SolverMethod: String, Sendable, Codable, CaseIterable {
    /// Cholesky of the dense P × P matrix.
    case dense
    /// The block-arrowhead solve through the Schur complement of the shared block (method.md §4).
    case arrowhead
    /// Conjugate gradient over operator products.
    case conjugateGradient = "cg"
    /// LiSSA's Neumann-series recursion over operator products.
    case lissa
}

/// How one solve went, recorded in every run manifest.
public struct SolveReport: Sendable, Codable, Equatable {
    public var method: SolverMethod
    public var curvature: Curvature
    /// δ in (H + δI)⁻¹.
    public var damping: Double
    /// Iterations per right-hand side (zero for direct methods).
    public var iterations: [Int]
    /// ‖(H + δI)q − v‖ / ‖v‖ per right-hand side, measured with one more operator product.
    public var relativeResiduals: [Double]
    public var seconds: Double
    /// Set when the operator products were summed over workers (`DistributedCurvatureOperator`);
    /// nil when they ran in this process.
    public var distributedProducts: DistributedProductsReport?

    public init(
        method: SolverMethod, curvature: Curvature, damping: Double, iterations: [Int],
        relativeResiduals: [Double], seconds: Double
    ) {
        self.method = method
        self.curvature = curvature
        self.damping = damping
        self.iterations = iterations
        self.relativeResiduals = relativeResiduals
        self.seconds = seconds
    }

    /// The worst relative residual over the right-hand sides.
    public var maximumRelativeResidual: Double { relativeResiduals.max() ?? 0 }
}

/// The inverse-Hessian products q_j = (H + δI)⁻¹ v_j, one per query, as rows.
public struct InverseHessianProducts: Sendable {
    /// `queries × P`, row-major: row j is q_j.
    public var vectors: Matrix
    public var report: SolveReport

    public init(vectors: Matrix, report: SolveReport) {
        self.vectors = vectors
        self.report = report
    }
}

/// ‖M·x_j − b_j‖ / ‖b_j‖ for each row pair; a zero right-hand side reports ‖M·x_j‖.
///
/// - Complexity: one batched operator product.
/// - Throws: what the operator's product throws.
public func relativeResiduals(
    of operator: some SymmetricOperator, solutions: Matrix, rightHandSides: Matrix
) throws -> [Double] {
    let products = try `operator`.apply(toRows: solutions)
    return (0..<rightHandSides.rows).map { row in
        let start = row * rightHandSides.columns
        var residual = 0.0
        var norm = 0.0
        for offset in start..<(start + rightHandSides.columns) {
            let difference = products.elements[offset] - rightHandSides.elements[offset]
            residual += difference * difference
            norm += rightHandSides.elements[offset] * rightHandSides.elements[offset]
        }
        return norm > 0 ? (residual / norm).squareRoot() : residual.squareRoot()
    }
}

/// Seconds elapsed while running `body`, with its result.
func timed<Result>(_ body: () throws -> Result) rethrows -> (Result, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
}
