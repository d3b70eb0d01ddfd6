/// Per-feature centring and scaling: x′ = (x − mean) / scale, column by column.
///
/// Fitted on the train split only, so that validation and test inputs are transformed with
/// statistics they did not contribute to (their means are near, not exactly, zero). The scale
/// is the population standard deviation (divisor n); a feature that is constant on the train
/// split keeps scale 1, so it becomes 0 there and other splits keep their offsets from the
/// train value instead of dividing by zero.
public struct FeatureStandardization: Sendable, Equatable {
    /// The train mean of each feature.
    public var means: [Double]
    /// The train standard deviation of each feature, or 1 for constant features.
    public var scales: [Double]

    public init(means: [Double], scales: [Double]) {
        precondition(means.count == scales.count, "One scale per mean")
        precondition(scales.allSatisfy { $0 > 0 && $0.isFinite }, "Scales must be positive and finite")
        self.means = means
        self.scales = scales
    }

    /// A standard deviation at or below this fraction of the feature's magnitude counts as
    /// constant: rounding alone produces deviations near 1e-16 × |mean| for constant columns.
    public static let constantTolerance = 1e-12

    /// Fits means and scales to the rows of `features` (two passes, for accuracy).
    ///
    /// - Precondition: `features` has at least one row.
    /// - Complexity: O(rows × columns).
    public static func fit(to features: Matrix) -> FeatureStandardization {
        precondition(features.rows > 0, "Standardisation needs at least one row")
        let count = Double(features.rows)
        var means = [Double](repeating: 0, count: features.columns)
        var squares = [Double](repeating: 0, count: features.columns)
        features.elements.withUnsafeBufferPointer { values in
            for row in 0..<features.rows {
                for column in 0..<features.columns { means[column] += values[row * features.columns + column] }
            }
            for column in means.indices { means[column] /= count }
            for row in 0..<features.rows {
                for column in 0..<features.columns {
                    let deviation = values[row * features.columns + column] - means[column]
                    squares[column] += deviation * deviation
                }
            }
        }
        let scales = zip(squares, means).map { square, mean in
            let deviation = (square / count).squareRoot()
            return deviation > constantTolerance * max(1, abs(mean)) ? deviation : 1
        }
        return FeatureStandardization(means: means, scales: scales)
    }

    /// `features` with every column centred and scaled.
    ///
    /// - Precondition: `features.columns == means.count`.
    /// - Complexity: O(rows × columns).
    public func apply(to features: Matrix) -> Matrix {
        precondition(features.columns == means.count, "Standardisation fitted to \(means.count) features")
        var result = features
        let columns = features.columns
        result.elements.withUnsafeMutableBufferPointer { values in
            for index in values.indices {
                let column = index % columns
                values[index] = (values[index] - means[column]) / scales[column]
            }
        }
        return result
    }
}
