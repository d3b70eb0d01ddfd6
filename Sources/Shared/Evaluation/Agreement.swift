/// Pearson's r and Spearman's ρ of paired predicted and actual effects.
public struct Correlation: Sendable, Equatable, Codable {
    /// How many pairs were correlated.
    public var pairs: Int
    /// NaN for fewer than two pairs or a constant side.
    public var pearson: Double
    public var spearman: Double

    public init(predicted: [Double], actual: [Double]) {
        pairs = predicted.count
        pearson = Statistics.pearson(predicted, actual)
        spearman = Statistics.spearman(predicted, actual)
    }
}

/// How well task matrices agree with each other (method.md §6, §9).
public enum Agreement {
    /// The between-task entries (l ≠ k) of a K × K task matrix, row by row, turned so that larger
    /// means "l harms k": negated when the matrix's positive values mean "helps" (a gradient
    /// cosine, lookahead affinity).
    public static func harmOrderedBetweenTask(_ matrix: Matrix, positiveMeansHelps: Bool) -> [Double] {
        precondition(matrix.isSquare, "A task matrix is K × K")
        return (0..<matrix.rows).flatMap { l in
            (0..<matrix.columns).filter { $0 != l }.map { k in positiveMeansHelps ? -matrix[l, k] : matrix[l, k] }
        }
    }

    /// Spearman's ρ between two task matrices over their K(K − 1) between-task entries, each
    /// turned so that larger means "harms" first; NaN when either is constant there or holds a
    /// NaN (a gradient cosine without shared parameters).
    public static func taskMatrixSpearman(
        _ a: Matrix, aPositiveMeansHelps: Bool, _ b: Matrix, bPositiveMeansHelps: Bool
    ) -> Double {
        precondition(a.rows == b.rows && a.isSquare && b.isSquare, "Two K × K task matrices")
        let first = harmOrderedBetweenTask(a, positiveMeansHelps: aPositiveMeansHelps)
        let second = harmOrderedBetweenTask(b, positiveMeansHelps: bPositiveMeansHelps)
        guard (first + second).allSatisfy(\.isFinite) else { return .nan }
        return Statistics.spearman(first, second)
    }
}

extension InfluenceScores {
    /// Σ_i MTIF^j_li for every train task l and query j (`K × Q`): the first-order effect of
    /// removing every training example of l (method.md (6)), which is what leave-one-task-out
    /// retraining with weight zero removes; the task matrix of method.md (5) also drops Ω_l.
    ///
    /// - Complexity: O(N·Q).
    public func summedByTrainTask() -> Matrix {
        var sums = Matrix(rows: trainCounts.count, columns: queries.count)
        for task in trainCounts.indices {
            for row in rows(ofTask: task) {
                for column in 0..<queries.count { sums[task, column] += values[row, column] }
            }
        }
        return sums
    }
}
