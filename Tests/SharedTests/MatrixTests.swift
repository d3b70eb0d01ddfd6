import Testing

@testable import Shared

@Suite("Matrix storage and BLAS products")
struct MatrixTests {
    /// Products of small integers are exact in binary floating point.
    static let exact = 0.0
    /// Random products differ from the triple loop only by summation order: a few ulps of the
    /// largest partial sum (entries ~ N(0,1), inner dimension ≤ 40).
    static let roundoff = 1e-12

    static func integerMatrix(rows: Int, columns: Int, seed: Int) -> Matrix {
        let elements = (0..<(rows * columns)).map { Double((($0 + seed) * 7919) % 13) - 6 }
        return Matrix(rows: rows, columns: columns, elements: elements)
    }

    @Test("Row-major storage puts element (i, j) at i × columns + j")
    func rowMajorStorage() {
        let matrix = Matrix(rowArrays: [[1, 2, 3], [4, 5, 6]])
        #expect(matrix.elements == [1, 2, 3, 4, 5, 6])
        #expect(matrix[1, 0] == 4)
        #expect(matrix.column(2) == [3, 6])
        #expect(matrix.transposed().elements == [1, 4, 2, 5, 3, 6])
        #expect(matrix.rows(at: [1, 0, 1]).elements == [4, 5, 6, 1, 2, 3, 4, 5, 6])
    }

    @Test("Transpose of a matrix larger than the cache block round-trips")
    func blockedTransposeRoundTrips() {
        let matrix = RandomMatrices.normal(rows: 37, columns: 70, seed: 3)
        let transposed = matrix.transposed()
        #expect(transposed[69, 36] == matrix[36, 69])
        #expect(transposed.transposed() == matrix)
    }

    @Test("Product of non-square matrices equals the triple loop for every transpose combination")
    func productMatchesTripleLoop() {
        let a = Self.integerMatrix(rows: 5, columns: 3, seed: 1)
        let b = Self.integerMatrix(rows: 3, columns: 4, seed: 2)
        let expected = RandomMatrices.naiveProduct(a, b)
        let at = a.transposed()
        let bt = b.transposed()
        #expect(matrixProduct(a, b).maxAbsoluteDifference(to: expected) == Self.exact)
        #expect(matrixProduct(at, b, transposingA: true).maxAbsoluteDifference(to: expected) == Self.exact)
        #expect(matrixProduct(a, bt, transposingB: true).maxAbsoluteDifference(to: expected) == Self.exact)
        let both = matrixProduct(at, bt, transposingA: true, transposingB: true)
        #expect(both.maxAbsoluteDifference(to: expected) == Self.exact)
    }

    @Test("Accumulating product adds scale·A·B to existingScale·C")
    func accumulatingProduct() {
        let a = RandomMatrices.normal(rows: 6, columns: 40, seed: 4)
        let b = RandomMatrices.normal(rows: 40, columns: 5, seed: 5)
        let c0 = RandomMatrices.normal(rows: 6, columns: 5, seed: 6)
        var c = c0
        accumulateMatrixProduct(a, b, into: &c, scale: 2, existingScale: -0.5)
        let ab = RandomMatrices.naiveProduct(a, b)
        let expected = Matrix(
            rows: 6, columns: 5, elements: zip(ab.elements, c0.elements).map { 2 * $0 - 0.5 * $1 })
        #expect(c.maxAbsoluteDifference(to: expected) < Self.roundoff)
    }

    @Test("Matrix-vector products equal the triple loop, plain and transposed")
    func matrixVectorProducts() {
        let a = RandomMatrices.normal(rows: 7, columns: 4, seed: 7)
        let x = RandomMatrices.normal(rows: 4, columns: 1, seed: 8)
        let y = RandomMatrices.normal(rows: 7, columns: 1, seed: 9)
        let ax = matrixVectorProduct(a, x.elements)
        let aty = matrixVectorProduct(a, y.elements, transposingA: true)
        #expect(
            Matrix(rows: 7, columns: 1, elements: ax).maxAbsoluteDifference(to: RandomMatrices.naiveProduct(a, x))
                < Self.roundoff)
        let expected = RandomMatrices.naiveProduct(a.transposed(), y)
        #expect(Matrix(rows: 4, columns: 1, elements: aty).maxAbsoluteDifference(to: expected) < Self.roundoff)
    }

    @Test("Symmetric rank update fills both triangles with AᵀA or AAᵀ")
    func symmetricRankUpdateMatchesProduct() {
        let a = RandomMatrices.normal(rows: 9, columns: 5, seed: 10)
        var gram = Matrix.identity(5)
        symmetricRankUpdate(&gram, adding: a, scale: 0.5, existingScale: 3)
        var expected = RandomMatrices.naiveProduct(a.transposed(), a)
        for index in expected.elements.indices { expected.elements[index] *= 0.5 }
        for i in 0..<5 { expected[i, i] += 3 }
        #expect(gram.maxAbsoluteDifference(to: expected) < Self.roundoff)

        var outer = Matrix(rows: 9, columns: 9)
        symmetricRankUpdate(&outer, adding: a, transposing: true)
        #expect(outer.maxAbsoluteDifference(to: RandomMatrices.naiveProduct(a, a.transposed())) < Self.roundoff)
    }

    @Test("Vector kernels: dot, axpy and norm agree with plain sums")
    func vectorKernels() {
        let x = RandomMatrices.normal(rows: 1, columns: 50, seed: 11).elements
        var y = RandomMatrices.normal(rows: 1, columns: 50, seed: 12).elements
        let expectedDot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(dot(x, y) - expectedDot) < Self.roundoff)
        #expect(abs(euclideanNorm(x) - x.reduce(0) { $0 + $1 * $1 }.squareRoot()) < Self.roundoff)
        let before = y
        addScaled(x, scale: -2, to: &y)
        #expect(zip(y, zip(before, x)).allSatisfy { abs($0 - ($1.0 - 2 * $1.1)) < Self.roundoff })
    }
}
