extension HessianBlocks {
    /// d_k for each task.
    public var taskSizes: [Int] { taskBlocks.map(\.rows) }

    /// p, the size of the shared block.
    public var sharedSize: Int { sharedBlock.rows }
}

/// (H + δI)⁻¹ v for block-arrowhead H through the Schur complement of the shared block.
///
/// With Ã_k = A_k + δI and S = C + δI − Σ_k B_kᵀ Ã_k⁻¹ B_k, the solution of H x = v, split as
/// (x_1, …, x_K, y) and (v_1, …, v_K, u), is
///
///     y   = S⁻¹ (u − Σ_k B_kᵀ Ã_k⁻¹ v_k)
///     x_k = Ã_k⁻¹ (v_k − B_k y)
///
/// H + δI is positive definite exactly when every Ã_k and S are, so Cholesky of each detects an
/// indefinite Hessian and names the block.
///
/// - Complexity: O(Σ_k (d_k³ + d_k² p + d_k p²) + p³) once, then O(Σ_k d_k² + Σ_k d_k p + p²)
///   per query: linear in the number of tasks K.
public enum ArrowheadInverseHessian {
    /// Solves for each row of `rightHandSides` (`queries × P`).
    ///
    /// - Throws: `InfluenceError.Code.indefiniteHessian` naming the block (A_k or the Schur
    ///   complement) that is not positive definite, with its smallest eigenvalue and a damping.
    public static func solve(
        _ blocks: HessianBlocks, rightHandSides: Matrix, damping: Double, curvature: Curvature = .hessian
    ) throws -> InverseHessianProducts {
        precondition(rightHandSides.columns == blocks.dimension, "Right-hand sides must have P columns")
        let (vectors, seconds) = try timed {
            let factors = try Factors(blocks, damping: damping)
            return factors.solve(rightHandSides)
        }
        let damped = DampedOperator(blocks, damping: damping)
        let residuals = try relativeResiduals(of: damped, solutions: vectors, rightHandSides: rightHandSides)
        let report = SolveReport(
            method: .arrowhead, curvature: curvature, damping: damping,
            iterations: Array(repeating: 0, count: rightHandSides.rows), relativeResiduals: residuals, seconds: seconds)
        return InverseHessianProducts(vectors: vectors, report: report)
    }

    /// The factorisations reused by every query.
    struct Factors {
        let blocks: HessianBlocks
        let taskFactors: [CholeskyFactorization]
        /// Ã_k⁻¹ B_k, `d_k × p`.
        let solvedCouplings: [Matrix]
        let schurFactor: CholeskyFactorization?

        init(_ blocks: HessianBlocks, damping: Double) throws {
            self.blocks = blocks
            var taskFactors: [CholeskyFactorization] = []
            for (task, block) in blocks.taskBlocks.enumerated() {
                taskFactors.append(
                    try factor(block.addingToDiagonal(damping), damping: damping, context: "Block A_\(task)"))
            }
            self.taskFactors = taskFactors
            solvedCouplings = zip(taskFactors, blocks.couplingBlocks).map { $0.solve($1) }
            var schur = blocks.sharedBlock.addingToDiagonal(damping)
            for (coupling, solved) in zip(blocks.couplingBlocks, solvedCouplings) {
                accumulateMatrixProduct(coupling, solved, into: &schur, transposingA: true, scale: -1)
            }
            schurFactor =
                blocks.sharedSize > 0
                ? try factor(
                    schur.symmetrized(), damping: damping, context: "The Schur complement S of the shared block")
                : nil
        }

        /// Solutions as rows, for right-hand sides as rows.
        func solve(_ rightHandSides: Matrix) -> Matrix {
            let columns = rightHandSides.transposed()  // P × Q: each block is a row range
            var offset = 0
            var solvedTasks: [Matrix] = []
            for factor in taskFactors {
                solvedTasks.append(factor.solve(columns.rows(in: offset..<(offset + factor.order))))
                offset += factor.order
            }
            var y = columns.rows(in: offset..<columns.rows)
            if let schurFactor {
                for (coupling, solved) in zip(blocks.couplingBlocks, solvedTasks) {
                    accumulateMatrixProduct(coupling, solved, into: &y, transposingA: true, scale: -1)
                }
                y = schurFactor.solve(y)
            }
            var stacked: [Double] = []
            stacked.reserveCapacity(columns.elements.count)
            for (task, solved) in solvedTasks.enumerated() {
                var x = solved
                if schurFactor != nil {
                    accumulateMatrixProduct(solvedCouplings[task], y, into: &x, scale: -1)
                }
                stacked.append(contentsOf: x.elements)
            }
            stacked.append(contentsOf: y.elements)
            return Matrix(rows: columns.rows, columns: columns.columns, elements: stacked).transposed()
        }
    }

    private static func factor(_ matrix: Matrix, damping: Double, context: String) throws -> CholeskyFactorization {
        do {
            return try CholeskyFactorization(matrix)
        } catch {
            throw CurvatureDiagnosis.indefiniteError(dampedMatrix: matrix, damping: damping, context: context)
        }
    }
}

extension HessianBlocks: SymmetricOperator {
    /// P = Σ d_k + p.
    public var dimension: Int { taskSizes.reduce(sharedSize, +) }

    /// H·v computed block by block: (A_k v_k + B_k u, Σ_k B_kᵀ v_k + C u).
    ///
    /// - Complexity: O(Σ_k (d_k² + d_k p) + p²) per vector.
    public func apply(toRows vectors: Matrix) -> Matrix {
        precondition(vectors.columns == dimension, "Vectors must have P = \(dimension) elements")
        let columns = vectors.transposed()
        let sharedOffset = dimension - sharedSize
        let u = columns.rows(in: sharedOffset..<dimension)
        var sharedPart = matrixProduct(sharedBlock, u)
        var stacked: [Double] = []
        stacked.reserveCapacity(columns.elements.count)
        var offset = 0
        for (block, coupling) in zip(taskBlocks, couplingBlocks) {
            let v = columns.rows(in: offset..<(offset + block.rows))
            var taskPart = matrixProduct(block, v)
            accumulateMatrixProduct(coupling, u, into: &taskPart)
            accumulateMatrixProduct(coupling, v, into: &sharedPart, transposingA: true)
            stacked.append(contentsOf: taskPart.elements)
            offset += block.rows
        }
        stacked.append(contentsOf: sharedPart.elements)
        return Matrix(rows: dimension, columns: vectors.rows, elements: stacked).transposed()
    }
}
