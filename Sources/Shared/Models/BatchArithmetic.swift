// Element-wise arithmetic on batches stored row-major, one row per example. Each helper makes one
// pass over contiguous memory; none allocates per row.

extension Matrix {
    /// `count` copies of `row`, one per example: a bias broadcast over a batch.
    init(repeatingRow row: [Double], count: Int) {
        var elements = [Double]()
        elements.reserveCapacity(row.count * count)
        for _ in 0..<count { elements.append(contentsOf: row) }
        self.init(rows: count, columns: row.count, elements: elements)
    }
}

/// a ⊙ b.
///
/// - Precondition: equal shapes.
func hadamardProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "Element-wise product needs equal shapes")
    var result = a
    result.elements.withUnsafeMutableBufferPointer { r in
        b.elements.withUnsafeBufferPointer { pb in
            for index in r.indices { r[index] *= pb[index] }
        }
    }
    return result
}

/// a ⊙ b + c ⊙ d ⊙ e, the form of the R-operator's backward step.
///
/// - Precondition: equal shapes.
func fusedProductSum(_ a: Matrix, _ b: Matrix, plus c: Matrix, _ d: Matrix, _ e: Matrix) -> Matrix {
    for other in [b, c, d, e] {
        precondition(a.rows == other.rows && a.columns == other.columns, "Element-wise sum needs equal shapes")
    }
    var result = a
    result.elements.withUnsafeMutableBufferPointer { r in
        for index in r.indices {
            r[index] = r[index] * b.elements[index] + c.elements[index] * d.elements[index] * e.elements[index]
        }
    }
    return result
}

/// v ← v + (column sums of m): a bias gradient summed over the examples of a batch.
///
/// - Precondition: `v.count == m.columns`.
func accumulateColumnSums(of m: Matrix, into v: inout [Double]) {
    precondition(v.count == m.columns, "Column sums of \(m.columns) columns into \(v.count) entries")
    m.elements.withUnsafeBufferPointer { pm in
        v.withUnsafeMutableBufferPointer { pv in
            for row in 0..<m.rows {
                let base = row * m.columns
                for column in 0..<m.columns { pv[column] += pm[base + column] }
            }
        }
    }
}

/// Whether every element of `w` in `range` is exactly zero.
func isZero(_ w: [Double], in range: Range<Int>) -> Bool {
    w[range].allSatisfy { $0 == 0 }
}
