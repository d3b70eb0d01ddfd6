@testable import Shared

/// Random matrices for linear-algebra tests, from a fixed seed.
enum RandomMatrices {
    /// A `rows × columns` matrix with standard normal entries.
    static func normal(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        return Matrix(
            rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in generator.nextNormal() })
    }

    /// A symmetric positive definite matrix MᵀM + shift·I, assembled with loops (no BLAS).
    static func positiveDefinite(order: Int, shift: Double, seed: UInt64) -> Matrix {
        let m = normal(rows: order + 3, columns: order, seed: seed)
        var a = Matrix(rows: order, columns: order)
        for i in 0..<order {
            for j in 0..<order {
                a[i, j] = (0..<m.rows).reduce(0) { $0 + m[$1, i] * m[$1, j] } + (i == j ? shift : 0)
            }
        }
        return a
    }

    /// A·B with a triple loop, independent of BLAS.
    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                c[i, j] = (0..<a.columns).reduce(0) { $0 + a[i, $1] * b[$1, j] }
            }
        }
        return c
    }
}
