/// A dense matrix of `Double` in row-major order.
///
/// Element (i, j) lives at `elements[i * columns + j]`: rows are contiguous, which matches
/// NumPy's C order and the convention that one row is one example. BLAS and LAPACK calls pass
/// the storage as is (CBLAS with `CblasRowMajor`; symmetric LAPACK routines see the transpose,
/// which for a symmetric matrix is the same matrix with the other triangle).
///
/// Value semantics come from the underlying array: copies are cheap until one is mutated.
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The `rows × columns` elements, row-major.
    public var elements: [Double]

    /// Wraps row-major elements.
    ///
    /// - Precondition: `elements.count == rows * columns`.
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        precondition(
            elements.count == rows * columns,
            "Matrix \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, elements: Array(repeating: value, count: rows * columns))
    }

    /// A matrix built from equally long rows.
    ///
    /// - Precondition: every row has the same length.
    public init(rowArrays: [[Double]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "Rows of a matrix must be equally long")
        self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
    }

    /// The `size × size` identity matrix.
    public static func identity(_ size: Int) -> Matrix {
        var matrix = Matrix(rows: size, columns: size)
        for index in 0..<size {
            matrix[index, index] = 1
        }
        return matrix
    }

    /// A square matrix with `values` on the diagonal.
    public static func diagonal(_ values: [Double]) -> Matrix {
        var matrix = Matrix(rows: values.count, columns: values.count)
        for (index, value) in values.enumerated() {
            matrix[index, index] = value
        }
        return matrix
    }

    /// Element (row, column).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return elements[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            elements[row * columns + column] = newValue
        }
    }

    /// Whether the matrix has as many rows as columns.
    public var isSquare: Bool { rows == columns }

    /// A copy of row `index`.
    public func row(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < rows, "Row \(index) out of range 0..<\(rows)")
        return Array(elements[(index * columns)..<((index + 1) * columns)])
    }

    /// A copy of column `index`.
    public func column(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < columns, "Column \(index) out of range 0..<\(columns)")
        return (0..<rows).map { elements[$0 * columns + index] }
    }

    /// The rows at `indices`, in that order.
    public func rows(at indices: some Collection<Int>) -> Matrix {
        var gathered = [Double]()
        gathered.reserveCapacity(indices.count * columns)
        for index in indices {
            precondition(index >= 0 && index < rows, "Row \(index) out of range 0..<\(rows)")
            gathered.append(contentsOf: elements[(index * columns)..<((index + 1) * columns)])
        }
        return Matrix(rows: indices.count, columns: columns, elements: gathered)
    }

    /// The contiguous block of rows `range`.
    public func rows(in range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Row range \(range) out of 0..<\(rows)")
        return Matrix(
            rows: range.count, columns: columns,
            elements: Array(elements[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// The transpose, materialised.
    ///
    /// - Complexity: O(rows × columns), blocked for cache reuse.
    public func transposed() -> Matrix {
        var result = [Double](repeating: 0, count: elements.count)
        let block = 32
        elements.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for rowStart in stride(from: 0, to: rows, by: block) {
                    for columnStart in stride(from: 0, to: columns, by: block) {
                        for row in rowStart..<min(rowStart + block, rows) {
                            for column in columnStart..<min(columnStart + block, columns) {
                                target[column * rows + row] = source[row * columns + column]
                            }
                        }
                    }
                }
            }
        }
        return Matrix(rows: columns, columns: rows, elements: result)
    }

    /// The largest absolute element-wise difference to `other`, or infinity if shapes differ.
    public func maxAbsoluteDifference(to other: Matrix) -> Double {
        guard rows == other.rows, columns == other.columns else { return .infinity }
        return zip(elements, other.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
