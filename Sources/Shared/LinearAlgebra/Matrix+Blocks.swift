/// Assembling matrices from pieces: blocks, diagonals, symmetric parts.
extension Matrix {
    /// (M + Mᵀ)/2: exactly symmetric, because floating-point addition commutes.
    ///
    /// - Precondition: the matrix is square.
    public func symmetrized() -> Matrix {
        var result = self
        result.symmetrize()
        return result
    }

    /// M ← (M + Mᵀ)/2 in place, each pair of entries averaged once.
    ///
    /// - Precondition: the matrix is square.
    /// - Complexity: O(n²), in 64 × 64 tiles so that the transposed reads stay in cache.
    public mutating func symmetrize() {
        precondition(isSquare, "Only a square matrix can be symmetrized")
        let n = rows
        let tile = 64
        elements.withUnsafeMutableBufferPointer { m in
            for rowStart in stride(from: 0, to: n, by: tile) {
                for columnStart in stride(from: rowStart, to: n, by: tile) {
                    for row in rowStart..<Swift.min(rowStart + tile, n) {
                        let first = Swift.max(columnStart, row + 1)
                        let last = Swift.min(columnStart + tile, n)
                        guard first < last else { continue }
                        for column in first..<last {
                            let mean = 0.5 * (m[row * n + column] + m[column * n + row])
                            m[row * n + column] = mean
                            m[column * n + row] = mean
                        }
                    }
                }
            }
        }
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
