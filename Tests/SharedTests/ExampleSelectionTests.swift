import Testing

@testable import Shared

@Suite("Example selection: harmful and top-q% sets, random draws and harmful tasks, against direct filters")
struct ExampleSelectionTests {
    /// Train tasks of 5, 7, 4 and 6 examples.
    static let counts = [5, 7, 4, 6]

    /// Columns deliberately out of task order, with an example query among them, so that the
    /// selector must find each task's column by its query.
    static let queries: [Query] = [
        .taskValidationLoss(task: 2), .validationExample(task: 0, example: 1), .taskValidationLoss(task: 0),
        .taskValidationLoss(task: 3), .taskValidationLoss(task: 1),
    ]

    /// Scores of both signs, no zeros, no ties.
    static let scores: InfluenceScores = {
        var generator = SeededGenerator(seed: 41)
        let rows = counts.reduce(0, +)
        let values = Matrix(
            rows: rows, columns: queries.count,
            elements: (0..<(rows * queries.count)).map { _ in generator.nextNormal() })
        return InfluenceScores(values: values, queries: queries, trainCounts: counts, convention: .weightZero)
    }()

    /// (task, position) of every row, by walking the counts: independent of `InfluenceScores`.
    static let rowExamples: [TrainExample] = counts.enumerated().flatMap { task, count in
        (0..<count).map { TrainExample(task: task, example: $0) }
    }

    /// The column of task k's validation loss in `queries`.
    static func column(of task: Int) -> Int {
        [2: 0, 0: 2, 3: 3, 1: 4][task]!
    }

    /// The harm of every row by hand: one column, or the sum of the four task columns.
    static func harm(row: Int, target: SelectionTarget) -> Double {
        switch target {
        case .task(let k): scores.values[row, column(of: k)]
        case .allTasks: (0..<4).map { scores.values[row, column(of: $0)] }.reduce(0, +)
        }
    }

    static func candidateRows(target: SelectionTarget, pool: CandidatePool) -> [Int] {
        rowExamples.indices.filter { row in
            guard case .task(let k) = target, pool == .otherTasks else { return true }
            return rowExamples[row].task != k
        }
    }

    static let cases: [(SelectionTarget, CandidatePool)] = [
        (.task(1), .otherTasks), (.task(1), .allTasks), (.task(3), .otherTasks), (.allTasks, .allTasks),
    ]

    @Test("The harmful set is the direct filter score > 0 over the candidate rows", arguments: 0..<cases.count)
    func harmfulEqualsFilter(index: Int) throws {
        let (target, pool) = Self.cases[index]
        let selector = try ExampleSelector(scores: Self.scores, target: target, pool: pool)
        let expected = Self.candidateRows(target: target, pool: pool).filter { Self.harm(row: $0, target: target) > 0 }
        #expect(selector.select(.harmful) == expected.map { Self.rowExamples[$0] })
        #expect(!expected.isEmpty && expected.count < Self.candidateRows(target: target, pool: pool).count)
    }

    @Test("Top q% holds the round(q·pool/100) candidates of largest harm", arguments: 0..<cases.count)
    func topPercentEqualsSortedPrefix(index: Int) throws {
        let (target, pool) = Self.cases[index]
        let selector = try ExampleSelector(scores: Self.scores, target: target, pool: pool)
        let rows = Self.candidateRows(target: target, pool: pool)
        for percent in [10.0, 25, 50, 100] {
            let count = Int((percent * Double(rows.count) / 100).rounded())
            let largest = rows.sorted { Self.harm(row: $0, target: target) > Self.harm(row: $1, target: target) }
            let expected = Set(largest.prefix(count).map { Self.rowExamples[$0] })
            let chosen = selector.select(.topPercent(percent))
            #expect(chosen.count == count)
            #expect(Set(chosen) == expected)
            #expect(chosen == chosen.sorted { ($0.task, $0.example) < ($1.task, $1.example) })
        }
    }

    @Test("Random removal takes the count asked from the candidate rows, without repeats, and depends on the seed")
    func randomDrawsFromThePool() throws {
        let selector = try ExampleSelector(scores: Self.scores, target: .task(1), pool: .otherTasks)
        let pool = Set(Self.candidateRows(target: .task(1), pool: .otherTasks).map { Self.rowExamples[$0] })
        let draws = (0..<5).map { selector.random(count: 6, seed: UInt64($0)) }
        for draw in draws {
            #expect(draw.count == 6 && Set(draw).count == 6)
            #expect(Set(draw).isSubset(of: pool))
        }
        #expect(Set(draws.map { Set($0) }).count == 5)
        #expect(selector.random(count: 6, seed: 3) == draws[3])
        #expect(Set(selector.random(count: pool.count, seed: 9)) == pool)
    }

    @Test("Harmful tasks: l ≠ k with a positive task-matrix entry, or a positive row sum for every task")
    func harmfulTasksEqualFilter() throws {
        var generator = SeededGenerator(seed: 5)
        let matrix = Matrix(rows: 4, columns: 4, elements: (0..<16).map { _ in generator.nextNormal() })
        for k in 0..<4 {
            let selector = try ExampleSelector(scores: Self.scores, target: .task(k), pool: .otherTasks)
            #expect(selector.harmfulTasks(taskMatrix: matrix) == (0..<4).filter { $0 != k && matrix[$0, k] > 0 })
        }
        let every = try ExampleSelector(scores: Self.scores, target: .allTasks, pool: .allTasks)
        let rowSums = (0..<4).map { l in (0..<4).map { matrix[l, $0] }.reduce(0, +) }
        #expect(every.harmfulTasks(taskMatrix: matrix) == (0..<4).filter { rowSums[$0] > 0 })
    }

    @Test("Impossible selections are refused: other tasks for every task, an unknown task, a missing column")
    func refusals() {
        #expect(throws: UsageError.self) {
            try ExampleSelector(scores: Self.scores, target: .allTasks, pool: .otherTasks)
        }
        #expect(throws: UsageError.self) {
            try ExampleSelector(scores: Self.scores, target: .task(4), pool: .allTasks)
        }
        let partial = InfluenceScores(
            values: Matrix(rows: Self.scores.values.rows, columns: 1, repeating: 1),
            queries: [.taskValidationLoss(task: 0)], trainCounts: Self.counts, convention: .weightZero)
        #expect(throws: UsageError.self) {
            try ExampleSelector(scores: partial, target: .task(2), pool: .allTasks)
        }
    }
}
