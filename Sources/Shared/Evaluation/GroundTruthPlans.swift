/// How one leave-one-out example was chosen.
public enum LeaveOneOutChoice: String, Sendable, Hashable, Codable {
    /// Named on the command line (`--loo-examples`).
    case listed
    /// Among the examples with the largest |score| for some query.
    case largestScore = "largest-score"
    /// Drawn uniformly from the rest.
    case random
}

/// One example to retrain without, and why it was picked.
public struct LeaveOneOutExample: Sendable, Hashable {
    public var example: TrainExample
    public var choice: LeaveOneOutChoice

    public init(example: TrainExample, choice: LeaveOneOutChoice) {
        self.example = example
        self.choice = choice
    }
}

/// The examples of a leave-one-out check (method.md §6).
///
/// Retraining every example is out of reach beyond small data, and a uniform sample of a few
/// hundred holds almost only examples of negligible influence, whose actual effects are
/// dominated by retraining error. So half the sample is the extremes and half is typical:
public enum LeaveOneOutSample {
    /// ⌈count/2⌉ examples with the largest max_j |s_rj| over the query columns j (ties in row
    /// order), then ⌊count/2⌋ drawn uniformly without replacement from the other examples of
    /// every train task, with `SeededGenerator(seed:)` (a partial Fisher–Yates shuffle of the
    /// remaining rows in row order). The result is sorted by row, which is the order of
    /// scores.npy.
    ///
    /// - Precondition: 0 ≤ count ≤ N.
    /// - Complexity: O(N·Q + N log N).
    public static func choose(count: Int, scores: InfluenceScores, seed: UInt64) -> [LeaveOneOutExample] {
        let rows = scores.values.rows
        precondition(count >= 0 && count <= rows, "Cannot choose \(count) of \(rows) training examples")
        let columns = scores.values.columns
        let extremes = (0..<rows).map { row in
            (0..<columns).reduce(0.0) { max($0, abs(scores.values.elements[row * columns + $1])) }
        }
        let ranked = (0..<rows).sorted { extremes[$0] > extremes[$1] || (extremes[$0] == extremes[$1] && $0 < $1) }
        let topCount = (count + 1) / 2
        let top = Set(ranked.prefix(topCount))

        var rest = (0..<rows).filter { !top.contains($0) }
        var generator = SeededGenerator(seed: seed)
        let randomCount = count - topCount
        for position in 0..<randomCount {
            let pick = position + Int(generator.next() % UInt64(rest.count - position))
            rest.swapAt(position, pick)
        }
        let chosen =
            top.map { ($0, LeaveOneOutChoice.largestScore) } + rest.prefix(randomCount).map { ($0, .random) }
        return chosen.sorted { $0.0 < $1.0 }.map {
            LeaveOneOutExample(example: scores.example(atRow: $0.0), choice: $0.1)
        }
    }
}

/// The random subsets of a linear datamodeling check (method.md §6): each keeps the same
/// fraction α of every task's training examples and removes the rest.
public struct DatamodelSubsets: Sendable, Equatable {
    /// The kept fraction α.
    public let fraction: Double
    /// The seed of subset m is `firstSeed + m`, so the first M subsets are the same whatever M.
    public let firstSeed: UInt64
    /// n_l of every train task.
    public let trainCounts: [Int]
    /// Per subset, the removed examples sorted by task then position.
    public let removed: [[TrainExample]]

    /// Draws `count` subsets.
    ///
    /// Subset m keeps, of each task l independently, `keptCount(n_l, α)` examples drawn uniformly
    /// without replacement with `SeededGenerator(seed: firstSeed + m)` (tasks in order, a partial
    /// Fisher–Yates shuffle of 0..<n_l each), and removes the others.
    ///
    /// - Precondition: 0 < α < 1; count ≥ 0.
    /// - Complexity: O(count · N).
    public init(trainCounts: [Int], fraction: Double, count: Int, firstSeed: UInt64) {
        precondition(fraction > 0 && fraction < 1, "The kept fraction must be in (0, 1)")
        precondition(count >= 0, "A negative number of subsets")
        self.fraction = fraction
        self.firstSeed = firstSeed
        self.trainCounts = trainCounts
        removed = (0..<count).map { subset in
            var generator = SeededGenerator(seed: firstSeed &+ UInt64(subset))
            return trainCounts.enumerated().flatMap { task, n in
                var order = Array(0..<n)
                let kept = Self.keptCount(trainCount: n, fraction: fraction)
                for position in 0..<kept {
                    let pick = position + Int(generator.next() % UInt64(n - position))
                    order.swapAt(position, pick)
                }
                return order[kept...].sorted().map { TrainExample(task: task, example: $0) }
            }
        }
    }

    /// ⌊α·n + ½⌋: α·n rounded to the nearest integer, halves up (so 0.5 · 7 keeps 4).
    public static func keptCount(trainCount: Int, fraction: Double) -> Int {
        Int((fraction * Double(trainCount) + 0.5).rounded(.down))
    }

    /// The kept examples of subset m, sorted by task then position: the complement of
    /// `removed[m]`.
    public func kept(subset: Int) -> [TrainExample] {
        let dropped = Set(removed[subset])
        return trainCounts.enumerated().flatMap { task, n in
            (0..<n).map { TrainExample(task: task, example: $0) }.filter { !dropped.contains($0) }
        }
    }
}
