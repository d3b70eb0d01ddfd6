import Testing

@testable import Shared

@Suite("Concurrent rows: curvature products computed on every core equal the same products computed in order")
struct ConcurrentRowsTests {
    static func problem() throws -> TrainedProblem {
        try TrainedProblem.make(
            "synthetic:K=3,n=40,d=5,noise=0.5,shared=0.6,conflicting=1,seed=4,kind=binary",
            architecture: .hardSharing(trunk: [HiddenLayer(width: 3, activation: .tanh)]), l2: 1e-2)
    }

    /// Nine distinct directions: more rows than lanes, so every lane computes several.
    static func directions(dimension: Int) -> Matrix {
        var generator = SeededGenerator(seed: 17)
        let elements = (0..<(9 * dimension)).map { _ in Double.random(in: -1...1, using: &generator) }
        return Matrix(rows: 9, columns: dimension, elements: elements)
    }

    @Test("CurvatureOperator's rows equal the row-by-row products bit for bit", arguments: Curvature.allCases)
    func rowsEqualSequentialProducts(curvature: Curvature) throws {
        let problem = try Self.problem()
        let curvatureOperator = CurvatureOperator(
            objective: problem.objective, parameters: problem.parameters, curvature: curvature)
        let vectors = Self.directions(dimension: curvatureOperator.dimension)
        let concurrent = curvatureOperator.apply(toRows: vectors)
        for row in 0..<vectors.rows {
            let alone =
                switch curvature {
                case .hessian: problem.objective.hessianVectorProduct(at: problem.parameters, vectors.row(row))
                case .gaussNewton: problem.objective.gaussNewtonVectorProduct(at: problem.parameters, vectors.row(row))
                }
            #expect(concurrent.row(row) == alone, "row \(row)")
        }
    }

    @Test("Each row is the dense curvature times its own direction (assembled matrix, plain loops)")
    func rowsMatchTheDenseMatrix() throws {
        let problem = try Self.problem()
        let curvatureOperator = CurvatureOperator(
            objective: problem.objective, parameters: problem.parameters, curvature: .hessian)
        let dense = curvatureOperator.denseMatrix()
        let vectors = Self.directions(dimension: curvatureOperator.dimension)
        let products = curvatureOperator.apply(toRows: vectors)
        for row in 0..<vectors.rows {
            let v = vectors.row(row)
            let expected = (0..<dense.rows).map { i in (0..<dense.columns).reduce(0.0) { $0 + dense[i, $1] * v[$1] } }
            let scale = expected.map(abs).max()!
            let difference = zip(products.row(row), expected).map { abs($0 - $1) }.max()!
            #expect(difference <= 1e-12 * scale, "row \(row): \(difference / scale) relative")
        }
    }

    @Test("One lane, two lanes and many lanes give the same matrix; no rows give an empty one")
    func resultDoesNotDependOnConcurrency() {
        let rowValues: @Sendable (Int) -> [Double] = { index in (0..<4).map { Double(index * 10 + $0).squareRoot() } }
        let one = ConcurrentRows.matrix(count: 11, columns: 4, maximumConcurrency: 1, row: rowValues)
        let two = ConcurrentRows.matrix(count: 11, columns: 4, maximumConcurrency: 2, row: rowValues)
        let many = ConcurrentRows.matrix(count: 11, columns: 4, maximumConcurrency: 64, row: rowValues)
        #expect(one == two)
        #expect(one == many)
        #expect(one.row(7) == rowValues(7))
        #expect(ConcurrentRows.matrix(count: 0, columns: 4, row: rowValues).rows == 0)
    }
}
