/// Deterministic shuffles and three-way partitions drawn from a `SeededGenerator`.
///
/// The shuffle is written out here (Fisher–Yates, drawing from the top index down) instead of
/// using the standard library's, whose algorithm is not promised to stay the same: a seed must
/// give the same split on every toolchain.
struct SeededSplitter {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// A uniform index in `0..<bound`, from the high word of a 64×64-bit product (bias below
    /// bound / 2⁶⁴, far under anything a split could show).
    mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "Cannot draw from an empty range")
        return Int(generator.next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// `0..<count` in a random order.
    ///
    /// - Complexity: O(count).
    mutating func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        for last in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(last, index(below: last + 1))
        }
        return order
    }

    /// A random subset of `count` positions out of `0..<total`, ascending; all of them when
    /// `count ≥ total`.
    mutating func sample(_ count: Int, of total: Int) -> [Int] {
        guard count < total else { return Array(0..<total) }
        return permutation(of: total).prefix(count).sorted()
    }

    /// Shuffles `0..<count` and cuts it into train, validation and test parts, each ascending.
    ///
    /// The cut points are the rounded cumulative fractions, so the parts always cover every
    /// position exactly once: train gets round(f_train·n), validation round((f_train+f_val)·n)
    /// minus that, and test the rest.
    mutating func partition(_ count: Int, fractions: SplitFractions) -> [Split: [Int]] {
        let order = permutation(of: count)
        let firstCut = Int((fractions.train * Double(count)).rounded())
        let secondCut = max(
            firstCut, min(count, Int(((fractions.train + fractions.validation) * Double(count)).rounded())))
        return [
            .train: order[0..<firstCut].sorted(),
            .validation: order[firstCut..<secondCut].sorted(),
            .test: order[secondCut...].sorted(),
        ]
    }
}
