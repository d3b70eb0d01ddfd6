// Destinations of assembled curvature columns: the dense P × P matrix, or the blocks A_k, B_k, C
// of method.md §4 without the P × P matrix. Columns arrive as runs of consecutive rows of w.

/// Receives curvature columns: `add(_:direction:firstRow:)` adds values to entries
/// (firstRow + i, direction) of the curvature, whose column `direction` is the product with the
/// unit vector e_direction of w.
///
/// Entries computed from both sides, as column `direction` and again as column `firstRow + i`, are
/// added once each and averaged when the sink finishes. Entries computed from one side only are
/// added by `addMirrored`, to both places, so that the average returns them unchanged.
protocol CurvatureSink {
    mutating func add(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int)

    /// Adds values to entries (firstRow + i, direction) and (direction, firstRow + i).
    mutating func addMirrored(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int)
}

extension CurvatureSink {
    /// Adds one entry.
    mutating func add(_ value: Double, direction: Int, row: Int) {
        withUnsafePointer(to: value) {
            add(UnsafeBufferPointer(start: $0, count: 1), direction: direction, firstRow: row)
        }
    }

    mutating func addMirrored(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int) {
        add(values, direction: direction, firstRow: firstRow)
        for (offset, value) in values.enumerated() { add(value, direction: firstRow + offset, row: direction) }
    }
}

/// The dense curvature, column g stored as row g until `finished()` symmetrises.
struct DenseCurvatureSink: CurvatureSink {
    private var columns: Matrix

    init(parameterCount: Int) {
        columns = Matrix(rows: parameterCount, columns: parameterCount)
    }

    mutating func add(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int) {
        let start = direction * columns.columns + firstRow
        precondition(firstRow + values.count <= columns.columns, "Rows \(firstRow)+\(values.count) exceed P")
        columns.elements.withUnsafeMutableBufferPointer { target in
            for offset in 0..<values.count { target[start + offset] += values[offset] }
        }
    }

    mutating func addMirrored(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int) {
        add(values, direction: direction, firstRow: firstRow)
        let count = columns.columns
        columns.elements.withUnsafeMutableBufferPointer { target in
            for (offset, value) in values.enumerated() { target[(firstRow + offset) * count + direction] += value }
        }
    }

    /// (M + Mᵀ)/2, exactly symmetric; the two triangles of M differ by rounding only. The sink is
    /// left empty: the P × P storage moves to the result instead of being copied.
    mutating func finished() -> Matrix {
        var result = Matrix(rows: 0, columns: 0)
        swap(&result, &columns)
        result.symmetrize()
        return result
    }
}

/// The blocks of method.md §4, filled without the P × P matrix. B_k has two places, like the two
/// triangles of the dense matrix: the γ rows of θ_k columns (H·e_j, j in θ_k) and the θ_k rows of
/// γ columns; a mirrored add fills both, and `finished()` averages them, which makes the blocks
/// those of the symmetrised dense matrix.
struct BlockCurvatureSink: CurvatureSink {
    private let layout: ParameterLayout
    /// For every index of w, its task block, or K for γ.
    private let owners: [Int]
    private var taskBlocks: [Matrix]
    private var couplingFromTaskColumns: [Matrix]
    private var couplingFromSharedColumns: [Matrix]
    private var sharedBlock: Matrix

    init(layout: ParameterLayout) {
        self.layout = layout
        var owners = [Int](repeating: layout.taskCount, count: layout.count)
        for (task, block) in layout.taskBlocks.enumerated() {
            for index in block.range { owners[index] = task }
        }
        self.owners = owners
        let shared = layout.sharedBlock.count
        taskBlocks = layout.taskBlocks.map { Matrix(rows: $0.count, columns: $0.count) }
        couplingFromTaskColumns = layout.taskBlocks.map { Matrix(rows: $0.count, columns: shared) }
        couplingFromSharedColumns = couplingFromTaskColumns
        sharedBlock = Matrix(rows: shared, columns: shared)
    }

    /// - Precondition: the run does not cross a block, and no entry couples two different tasks.
    mutating func add(_ values: UnsafeBufferPointer<Double>, direction: Int, firstRow: Int) {
        let sharedTask = layout.taskCount
        let (column, row) = (owners[direction], owners[firstRow])
        precondition(owners[firstRow + values.count - 1] == row, "A run must stay inside one block")
        precondition(
            column == row || column == sharedTask || row == sharedTask, "Tasks \(column), \(row) are not coupled")
        let sharedStart = layout.sharedBlock.range.lowerBound
        switch (column == sharedTask, row == sharedTask) {
        case (false, false):
            let start = layout.taskBlocks[row].range.lowerBound
            Self.addRun(values, into: &taskBlocks[row], row: direction - start, column: firstRow - start)
        case (false, true):
            let start = layout.taskBlocks[column].range.lowerBound
            Self.addRun(
                values, into: &couplingFromTaskColumns[column], row: direction - start, column: firstRow - sharedStart)
        case (true, false):
            let start = layout.taskBlocks[row].range.lowerBound
            let coupling = couplingFromSharedColumns[row].columns
            couplingFromSharedColumns[row].elements.withUnsafeMutableBufferPointer { target in
                for (offset, value) in values.enumerated() {
                    target[(firstRow - start + offset) * coupling + direction - sharedStart] += value
                }
            }
        case (true, true):
            Self.addRun(values, into: &sharedBlock, row: direction - sharedStart, column: firstRow - sharedStart)
        }
    }

    /// A_k and C symmetrised, B_k the mean of its two computations. The sink is left empty: the
    /// blocks move to the result instead of being copied.
    mutating func finished() -> HessianBlocks {
        var coupling: [Matrix] = []
        swap(&coupling, &couplingFromTaskColumns)
        for (task, fromShared) in couplingFromSharedColumns.enumerated() {
            coupling[task].elements.withUnsafeMutableBufferPointer { b in
                fromShared.elements.withUnsafeBufferPointer { other in
                    for index in b.indices { b[index] = 0.5 * (b[index] + other[index]) }
                }
            }
        }
        var blocks = HessianBlocks(taskBlocks: [], couplingBlocks: [], sharedBlock: Matrix(rows: 0, columns: 0))
        swap(&blocks.taskBlocks, &taskBlocks)
        swap(&blocks.sharedBlock, &sharedBlock)
        blocks.couplingBlocks = coupling
        for task in blocks.taskBlocks.indices { blocks.taskBlocks[task].symmetrize() }
        blocks.sharedBlock.symmetrize()
        return blocks
    }

    private static func addRun(_ values: UnsafeBufferPointer<Double>, into m: inout Matrix, row: Int, column: Int) {
        let start = row * m.columns + column
        m.elements.withUnsafeMutableBufferPointer { target in
            for (offset, value) in values.enumerated() { target[start + offset] += value }
        }
    }
}

extension RegularizationPenalty {
    /// Adds P_k, the penalty's Hessian for task k (see the type's discussion), entry by entry.
    func accumulateHessian(task: Int, into sink: inout some CurvatureSink) {
        let taskRange = layout.taskBlocks[task].range
        let sharedRange = layout.sharedBlock.range
        let lambda = regularization.l2
        guard isSoftSharing else {
            for index in taskRange { sink.add(lambda, direction: index, row: index) }
            let sharedScale = lambda / Double(layout.taskCount)
            for index in sharedRange { sink.add(sharedScale, direction: index, row: index) }
            return
        }
        let mu = regularization.coupling
        for (taskIndex, sharedIndex) in zip(taskRange, sharedRange) {
            sink.add(mu + lambda, direction: taskIndex, row: taskIndex)
            sink.add(-mu, direction: taskIndex, row: sharedIndex)
            sink.add(-mu, direction: sharedIndex, row: taskIndex)
            sink.add(mu, direction: sharedIndex, row: sharedIndex)
        }
    }
}
