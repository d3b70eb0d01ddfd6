/// The blocks of the block-arrowhead Hessian of method.md §4.
///
///     H = [ A_1          B_1 ]
///         [      ⋱       ⋮   ]
///         [          A_K B_K ]
///         [ B_1ᵀ … B_Kᵀ  C   ]
///
/// A_k = H_θkθk (`d_k × d_k`), B_k = H_θkγ (`d_k × p`), C = H_γγ (`p × p`), all row-major, rows and
/// columns in the order of `ParameterLayout`. Blocks between different tasks are zero because no
/// term of (1) reads θ_k and θ_j together.
public struct HessianBlocks: Sendable, Equatable {
    /// A_k for every task, symmetric.
    public var taskBlocks: [Matrix]
    /// B_k for every task.
    public var couplingBlocks: [Matrix]
    /// C, symmetric.
    public var sharedBlock: Matrix

    public init(taskBlocks: [Matrix], couplingBlocks: [Matrix], sharedBlock: Matrix) {
        precondition(taskBlocks.count == couplingBlocks.count, "One coupling block per task block")
        for (a, b) in zip(taskBlocks, couplingBlocks) {
            precondition(a.isSquare && b.rows == a.rows && b.columns == sharedBlock.rows, "Block shapes disagree")
        }
        self.taskBlocks = taskBlocks
        self.couplingBlocks = couplingBlocks
        self.sharedBlock = sharedBlock
    }

    /// The dense `P × P` Hessian these blocks describe, with zero blocks between tasks.
    ///
    /// - Complexity: O(P²) memory; meant for small models and for tests.
    public func assembled() -> Matrix {
        let shared = sharedBlock.rows
        let total = taskBlocks.reduce(shared) { $0 + $1.rows }
        let sharedStart = total - shared
        var h = Matrix(rows: total, columns: total)
        var start = 0
        for (a, b) in zip(taskBlocks, couplingBlocks) {
            h.setBlock(a, row: start, column: start)
            h.setBlock(b, row: start, column: sharedStart)
            h.setBlock(b.transposed(), row: sharedStart, column: start)
            start += a.rows
        }
        h.setBlock(sharedBlock, row: sharedStart, column: sharedStart)
        return h
    }
}
