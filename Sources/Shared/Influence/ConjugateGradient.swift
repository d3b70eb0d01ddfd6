/// Settings of an iterative inverse-Hessian solve.
public struct IterativeSolveConfiguration: Sendable, Codable, Equatable {
    /// Stop when ‖r‖ ≤ tolerance·‖v‖. The default 1e-10 leaves scores accurate to about eight
    /// digits for condition numbers up to 10², matching the dense solve in the checks.
    public var tolerance: Double
    /// Give up (and throw) after this many iterations.
    public var maximumIterations: Int

    public init(tolerance: Double = 1e-10, maximumIterations: Int = 10_000) {
        precondition(tolerance > 0 && maximumIterations > 0, "Tolerance and iteration cap must be positive")
        self.tolerance = tolerance
        self.maximumIterations = maximumIterations
    }
}

/// (H + δI)⁻¹ v by conjugate gradient over operator products, all queries advancing together.
///
/// Every iteration applies the operator once to the search directions of the queries that have
/// not converged yet, as one batch, so a distributed operator pays one round trip per iteration
/// whatever the number of queries. CG needs a positive definite operator: a search direction
/// with pᵀ(H + δI)p ≤ 0 proves indefiniteness and is reported with its Rayleigh quotient, an
/// upper bound on the smallest eigenvalue.
///
/// - Complexity: per iteration, one operator product per active query plus O(P) vector work;
///   about √κ·log(1/tolerance) iterations for condition number κ.
public enum ConjugateGradient {
    /// Solves for each row of `rightHandSides` (`queries × P`).
    ///
    /// - Throws: `InfluenceError.Code.indefiniteHessian` on negative curvature;
    ///   `.solverDidNotConverge` when a query's residual is above tolerance after the cap.
    public static func solve(
        _ curvatureOperator: some SymmetricOperator, rightHandSides: Matrix, damping: Double,
        configuration: IterativeSolveConfiguration = .init(), curvature: Curvature = .hessian
    ) throws -> InverseHessianProducts {
        precondition(rightHandSides.columns == curvatureOperator.dimension, "Right-hand sides must have P columns")
        let damped = DampedOperator(curvatureOperator, damping: damping)
        let (state, seconds) = try timed {
            var state = State(rightHandSides: rightHandSides)
            while state.hasActiveQueries(configuration.tolerance), state.iteration < configuration.maximumIterations {
                try state.step(damped, damping: damping)
            }
            return state
        }
        let residuals = try relativeResiduals(of: damped, solutions: state.x, rightHandSides: rightHandSides)
        guard residuals.allSatisfy({ $0 <= 10 * configuration.tolerance }) else {
            throw InfluenceError(
                .solverDidNotConverge,
                "Conjugate gradient reached \(configuration.maximumIterations) iterations with relative residual "
                    + "\(residuals.max() ?? .nan) above the tolerance \(configuration.tolerance). Raise "
                    + "--max-iterations, add damping, or loosen --tolerance.")
        }
        let report = SolveReport(
            method: .conjugateGradient, curvature: curvature, damping: damping, iterations: state.iterationsPerQuery,
            relativeResiduals: residuals, seconds: seconds)
        return InverseHessianProducts(vectors: state.x, report: report)
    }

    /// The CG iterates of every query, as rows.
    struct State {
        var x: Matrix
        var residual: Matrix
        var direction: Matrix
        var residualNormsSquared: [Double]
        let rightHandSideNorms: [Double]
        var iterationsPerQuery: [Int]
        var iteration = 0

        init(rightHandSides: Matrix) {
            x = Matrix(rows: rightHandSides.rows, columns: rightHandSides.columns)
            residual = rightHandSides
            direction = rightHandSides
            residualNormsSquared = (0..<rightHandSides.rows).map { rowNormSquared(rightHandSides, $0) }
            rightHandSideNorms = residualNormsSquared.map { $0.squareRoot() }
            iterationsPerQuery = Array(repeating: 0, count: rightHandSides.rows)
        }

        func isActive(_ query: Int, _ tolerance: Double) -> Bool {
            residualNormsSquared[query].squareRoot() > tolerance * rightHandSideNorms[query]
        }

        func hasActiveQueries(_ tolerance: Double) -> Bool {
            (0..<x.rows).contains { isActive($0, tolerance) }
        }

        mutating func step(_ damped: some SymmetricOperator, damping: Double) throws {
            let active = (0..<x.rows).filter { residualNormsSquared[$0] > 0 && isActive($0, 0) }
            let products = try damped.apply(toRows: direction.rows(at: active))
            for (position, query) in active.enumerated() {
                try update(query, product: products.row(position), damping: damping)
            }
            iteration += 1
        }

        /// One CG update of query `query` given (H + δI)p.
        mutating func update(_ query: Int, product: [Double], damping: Double) throws {
            let p = direction.row(query)
            let curvature = dot(p, product)
            guard curvature > 0 else {
                let rayleigh = curvature / dot(p, p)
                throw InfluenceError(
                    .indefiniteHessian,
                    "Conjugate gradient met negative curvature: a direction with Rayleigh quotient \(rayleigh) for H "
                        + "plus damping \(damping). Use --damping \(CurvatureDiagnosis.shortNumber(damping - 1.01 * rayleigh)) "
                        + "or more, or --curvature gauss-newton.",
                    smallestEigenvalue: rayleigh, suggestedDamping: damping - 1.01 * rayleigh)
            }
            let alpha = residualNormsSquared[query] / curvature
            let columns = x.columns
            var newNormSquared = 0.0
            for offset in 0..<columns {
                let index = query * columns + offset
                x.elements[index] += alpha * p[offset]
                residual.elements[index] -= alpha * product[offset]
                newNormSquared += residual.elements[index] * residual.elements[index]
            }
            let beta = newNormSquared / residualNormsSquared[query]
            for offset in 0..<columns {
                let index = query * columns + offset
                direction.elements[index] = residual.elements[index] + beta * p[offset]
            }
            residualNormsSquared[query] = newNormSquared
            iterationsPerQuery[query] += 1
        }
    }
}

/// ‖row‖² of a row-major matrix.
func rowNormSquared(_ matrix: Matrix, _ row: Int) -> Double {
    let start = row * matrix.columns
    return matrix.elements[start..<(start + matrix.columns)].reduce(0) { $0 + $1 * $1 }
}
