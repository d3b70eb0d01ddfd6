@testable import Shared

/// Central finite differences and error measures for the derivative tests.
enum NumericalChecks {
    /// ∂f/∂w_j ≈ (f(w + h e_j) − f(w − h e_j)) / 2h for every j.
    static func gradient(of f: ([Double]) -> Double, at w: [Double], step: Double) -> [Double] {
        w.indices.map { index in
            var plus = w
            var minus = w
            plus[index] += step
            minus[index] -= step
            return (f(plus) - f(minus)) / (2 * step)
        }
    }

    /// (g(w + h v) − g(w − h v)) / 2h: the derivative of a vector function along v.
    static func directionalDerivative(
        of g: ([Double]) -> [Double], at w: [Double], along v: [Double], step: Double
    ) -> [Double] {
        let plus = g(zip(w, v).map { $0 + step * $1 })
        let minus = g(zip(w, v).map { $0 - step * $1 })
        return zip(plus, minus).map { ($0 - $1) / (2 * step) }
    }

    /// The matrix whose column j is the derivative of g along e_j.
    static func jacobian(of g: ([Double]) -> [Double], at w: [Double], step: Double) -> Matrix {
        let columns = w.indices.map { index in
            var unit = [Double](repeating: 0, count: w.count)
            unit[index] = 1
            return directionalDerivative(of: g, at: w, along: unit, step: step)
        }
        return Matrix(rowArrays: columns).transposed()
    }

    /// ‖a − b‖ / ‖b‖, or ‖a‖ when b is zero.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "Lengths differ")
        let difference = euclideanNorm(zip(a, b).map { $0 - $1 })
        let reference = euclideanNorm(b)
        return reference > 0 ? difference / reference : difference
    }

    /// Relative error of two matrices in the Frobenius norm.
    static func relativeError(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns, "Shapes differ")
        return relativeError(a.elements, b.elements)
    }

    /// The block of `m` at rows `rows` and columns `columns`.
    static func block(of m: Matrix, rows: Range<Int>, columns: Range<Int>) -> Matrix {
        Matrix(rowArrays: rows.map { row in columns.map { m[row, $0] } })
    }
}
