/// Correlation measures for comparing predicted and actual effects (method.md §6).
public enum Statistics {
    /// Pearson's correlation coefficient r of paired samples; NaN when either side is constant
    /// or fewer than two pairs are given.
    ///
    /// Computed with centred sums (two passes), which is exact for shifted data where the
    /// one-pass formula cancels catastrophically.
    ///
    /// - Complexity: O(n).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "Pearson needs paired samples, got \(x.count) and \(y.count)")
        guard x.count >= 2 else { return .nan }
        let meanX = mean(x)
        let meanY = mean(y)
        var covariance = 0.0
        var varianceX = 0.0
        var varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return .nan }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    /// Spearman's rank correlation: Pearson's r of the ranks, ties given their mean rank.
    ///
    /// - Complexity: O(n log n).
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        pearson(ranks(x), ranks(y))
    }

    /// 1-based ranks with ties averaged (the "fractional" ranking).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let shared = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = shared }
            start = end + 1
        }
        return ranks
    }

    /// The arithmetic mean; NaN for no values.
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1 in the denominator); NaN for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count >= 2 else { return .nan }
        let center = mean(values)
        return (values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - 1)).squareRoot()
    }
}
