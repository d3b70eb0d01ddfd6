/// Names one training example: position `example` among train task `task`'s training examples.
public struct TrainExample: Sendable, Hashable, Codable {
    public var task: Int
    public var example: Int

    public init(task: Int, example: Int) {
        self.task = task
        self.example = example
    }
}

/// The instance-level MTIF scores: one row per training example, one column per query.
///
/// Rows are ordered by train task, then by position within the task: task 0's n_0 examples,
/// then task 1's, and so on. Sign convention (method.md §2): a score > 0 means removing the
/// example lowers the query's loss, so the example harms the query; < 0 means it helps.
public struct InfluenceScores: Sendable, Equatable {
    /// `N × Q`, N = Σ_l n_l, row-major.
    public var values: Matrix
    /// The columns.
    public var queries: [Query]
    /// n_l for each train task.
    public let trainCounts: [Int]
    /// The first row of each train task, and N at the end (derived from `trainCounts` once).
    public let taskOffsets: [Int]
    public var convention: RemovalConvention

    public init(values: Matrix, queries: [Query], trainCounts: [Int], convention: RemovalConvention) {
        precondition(values.rows == trainCounts.reduce(0, +), "One row per training example")
        precondition(values.columns == queries.count, "One column per query")
        self.values = values
        self.queries = queries
        self.trainCounts = trainCounts
        self.taskOffsets = trainCounts.reduce(into: [0]) { $0.append($0.last! + $1) }
        self.convention = convention
    }

    /// Rows of train task `task`.
    public func rows(ofTask task: Int) -> Range<Int> {
        let offsets = taskOffsets
        return offsets[task]..<offsets[task + 1]
    }

    /// The row of one training example.
    public func row(of example: TrainExample) -> Int {
        precondition(example.example >= 0 && example.example < trainCounts[example.task], "No such training example")
        return taskOffsets[example.task] + example.example
    }

    /// The training example in a row.
    public func example(atRow row: Int) -> TrainExample {
        let offsets = taskOffsets
        let task = offsets.lastIndex { $0 <= row && $0 < offsets.last! }!
        return TrainExample(task: task, example: row - offsets[task])
    }

    /// First-order prediction of removing every example in `subset` together (method.md §6):
    /// Δ_R ≈ Σ_{(l,i)∈R} MTIF_li, one value per query.
    ///
    /// - Complexity: O(|R|·Q).
    public func predictedEffect(ofRemoving subset: some Sequence<TrainExample>) -> [Double] {
        var effect = [Double](repeating: 0, count: queries.count)
        for example in subset {
            let start = row(of: example) * queries.count
            for query in 0..<queries.count { effect[query] += values.elements[start + query] }
        }
        return effect
    }

    /// The `count` examples with the largest (harmful) or smallest (helpful) score for a query.
    ///
    /// - Returns: (example, score) pairs, most extreme first; ties keep row order.
    public func extremeExamples(query: Int, count: Int, harmful: Bool) -> [(example: TrainExample, score: Double)] {
        let column = values.column(query)
        let order = column.indices.sorted { harmful ? column[$0] > column[$1] : column[$0] < column[$1] }
        return order.prefix(count).map { (example(atRow: $0), column[$0]) }
    }
}
