import Testing

@testable import Shared

@Suite("Correlation statistics")
struct StatisticsTests {
    /// Hand-computed values are exact rationals; round-off stays within a few ulps.
    static let tolerance = 1e-12

    @Test("Pearson of a known sample equals its hand-computed value")
    func pearsonKnownValue() {
        // x = 1…5, y = (2, 4, 5, 4, 5): Σdxdy = 6, Σdx² = 10, Σdy² = 6 → r = 6/√60.
        let r = Statistics.pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
        #expect(abs(r - 6 / 60.0.squareRoot()) < Self.tolerance)
    }

    @Test("Pearson is invariant to a large shift, where a one-pass formula would cancel")
    func pearsonShiftInvariant() {
        let x: [Double] = [1, 2, 3, 4, 5]
        let y: [Double] = [2, 4, 5, 4, 5]
        let shifted = Statistics.pearson(x.map { $0 + 1e9 }, y.map { $0 - 1e9 })
        #expect(abs(shifted - Statistics.pearson(x, y)) < 1e-6)
    }

    @Test("Spearman uses mean ranks for ties and is 1 for any increasing transform")
    func spearmanTiesAndMonotone() {
        #expect(Statistics.ranks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
        let x: [Double] = [0.1, 0.5, 0.2, 3, 1.5]
        #expect(abs(Statistics.spearman(x, x.map { $0 * $0 * $0 + 7 }) - 1) < Self.tolerance)
        #expect(abs(Statistics.spearman(x, x.map { -$0 }) + 1) < Self.tolerance)
    }

    @Test("A constant side gives NaN rather than a division by zero")
    func constantSideIsUndefined() {
        #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(Statistics.standardDeviation([4]).isNaN)
        #expect(abs(Statistics.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) - (32.0 / 7).squareRoot()) < Self.tolerance)
    }
}
