import Testing

@testable import Shared

@Suite("Matrix storage and BLAS products")
struct MatrixTests {
    /// Products of small integers are exact in binary floating point.
    static let exact = 0.0

    /// A naive triple loop, independent of BLAS.
    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                c[i, j] = (0..<a.columns).reduce(0) { $0 + a[i, $1] * b[$1, j] }
            }
        }
        return c
    }

    static func integerMatrix(rows: Int, columns: Int, seed: Int) -> Matrix {
        Matrix(
            rows: rows, columns: columns, elements: (0..<(rows * columns)).map { Double((($0 + seed) * 7919) % 13) - 6 }
        )
    }

    @Test("Product of non-square matrices equals the triple loop for every transpose combination")
    func productMatchesTripleLoop() {
        let a = Self.integerMatrix(rows: 5, columns: 3, seed: 1)
        let b = Self.integerMatrix(rows: 3, columns: 4, seed: 2)
        let expected = Self.naiveProduct(a, b)
        #expect(matrixProduct(a, b).maxAbsoluteDifference(to: expected) == Self.exact)
        #expect(matrixProduct(a.transposed(), b, transposingA: true).maxAbsoluteDifference(to: expected) == Self.exact)
        #expect(matrixProduct(a, b.transposed(), transposingB: true).maxAbsoluteDifference(to: expected) == Self.exact)
        #expect(
            matrixProduct(a.transposed(), b.transposed(), transposingA: true, transposingB: true)
                .maxAbsoluteDifference(to: expected) == Self.exact)
    }
}
