/// Assembling matrices from pieces: blocks, diagonals, symmetric parts.
extension Matrix {
    /// (M + Mᵀ)/2: exactly symmetric, because floating-point addition commutes.
    ///
    /// - Precondition: the matrix is square.
    public func symmetrized() -> Matrix {
        precondition(isSquare, "Only a square matrix can be symmetrized")
        var result = self
        for row in 0..<rows {
            for column in 0..<columns { result[row, column] = 0.5 * (self[row, column] + self[column, row]) }
        }
        return result
    }

    /// M + δI.
    public func addingToDiagonal(_ delta: Double) -> Matrix {
        var result = self
        for index in 0..<Swift.min(rows, columns) {
            result[index, index] += delta
        }
        return result
    }

    /// Writes `block` with its top-left corner at (`row`, `column`).
    ///
    /// - Precondition: the block fits.
    public mutating func setBlock(_ block: Matrix, row: Int, column: Int) {
        precondition(row + block.rows <= rows && column + block.columns <= columns, "Block does not fit")
        for r in 0..<block.rows {
            let source = r * block.columns
            let target = (row + r) * columns + column
            elements.replaceSubrange(
                target..<(target + block.columns), with: block.elements[source..<(source + block.columns)])
        }
    }

    /// The block of rows `rowRange` and columns `columnRange`, copied.
    public func block(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
        var gathered: [Double] = []
        gathered.reserveCapacity(rowRange.count * columnRange.count)
        for row in rowRange {
            gathered.append(
                contentsOf: elements[
                    (row * columns + columnRange.lowerBound)..<(row * columns + columnRange.upperBound)])
        }
        return Matrix(rows: rowRange.count, columns: columnRange.count, elements: gathered)
    }
}
