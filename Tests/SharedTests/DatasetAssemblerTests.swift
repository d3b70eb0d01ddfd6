import Testing

@testable import Shared

@Suite("Dataset assembly: seeded splits, target kinds, empty tasks, standardisation")
struct DatasetAssemblerTests {
    /// Feature values are exact in binary and vary per row, so statistics are never trivially zero.
    static func features(rows: Int) -> Matrix {
        Matrix(
            rowArrays: (0..<rows).map { row -> [Double] in
                let first = Double(row % 7) + 10
                let second = Double((row * 5) % 11) * 0.5
                return [first, second, 4.0]
            })
    }

    /// Three tasks of 50, 30 and 20 examples over disjoint rows; targets are 0/1.
    static func disjointPool(sizes: [Int] = [50, 30, 20]) -> ExamplePool {
        var start = 0
        let tasks = sizes.map { size -> TaskExamples in
            defer { start += size }
            return TaskExamples(rows: Array(start..<(start + size)), targets: (0..<size).map { Double($0 % 2) })
        }
        return ExamplePool(
            name: "toy", path: "toy.csv", layout: .disjoint, featureNames: ["a", "b", "c"],
            features: features(rows: sizes.reduce(0, +)), taskNames: sizes.indices.map { "t\($0)" }, tasks: tasks,
            locate: { row, _ in .line(row + 2) })
    }

    /// 40 inputs, two tasks labelling every input.
    static func sharedPool() -> ExamplePool {
        let rows = Array(0..<40)
        return ExamplePool(
            name: "toy-shared", path: "shared.csv", layout: .sharedInputs, featureNames: ["a", "b", "c"],
            features: features(rows: 40), taskNames: ["first", "second"],
            tasks: [
                TaskExamples(rows: rows, targets: rows.map { Double($0 % 2) }),
                TaskExamples(rows: rows, targets: rows.map { Double($0 % 3) }),
            ], locate: { row, task in .field(line: row + 2, column: task == 0 ? "first" : "second") })
    }

    static func assemble(_ pool: ExamplePool, seed: UInt64 = 0) throws -> MultitaskDataset {
        try DatasetAssembler.assemble(pool, configuration: DatasetConfiguration(seed: seed))
    }

    @Test("The same seed gives the same dataset and fingerprint; another seed a different split")
    func deterministic() throws {
        let first = try Self.assemble(Self.disjointPool(), seed: 7)
        let again = try Self.assemble(Self.disjointPool(), seed: 7)
        let other = try Self.assemble(Self.disjointPool(), seed: 8)
        #expect(first == again)
        #expect(first.fingerprint() == again.fingerprint())
        #expect(first.train.sourceIDs != other.train.sourceIDs)
        #expect(first.fingerprint() != other.fingerprint())
    }

    @Test("In the disjoint layout each task's examples are partitioned with the configured sizes")
    func disjointPartition() throws {
        let pool = Self.disjointPool()
        let dataset = try Self.assemble(pool, seed: 3)
        for (task, examples) in pool.tasks.enumerated() {
            var seen: [Int] = []
            for split in Split.allCases {
                let data = dataset[split]
                seen += data.tasks[task].rows.map { data.sourceIDs[$0] }
            }
            #expect(seen.sorted() == examples.rows, "task \(task) covers every example exactly once")
        }
        let sizes = Split.allCases.map { dataset[$0].tasks[0].count }
        #expect(sizes == [30, 10, 10])
        #expect(dataset[.train].tasks.map(\.count) == [30, 18, 12])
    }

    @Test("With shared inputs every task lists every input of a split, and the inputs are partitioned")
    func sharedPartition() throws {
        let dataset = try Self.assemble(Self.sharedPool(), seed: 5)
        var seen: [Int] = []
        for split in Split.allCases {
            let data = dataset[split]
            seen += data.sourceIDs
            #expect(data.tasks.allSatisfy { $0.rows == Array(0..<data.features.rows) })
            #expect(data.tasks[1].targets == data.sourceIDs.map { Double($0 % 3) })
        }
        #expect(seen.sorted() == Array(0..<40))
        #expect(dataset.tasks.map(\.targetKind) == [.binary, .multiclass(classes: 3)])
    }

    @Test("Standardisation uses train statistics: train is centred, validation is not forced to zero")
    func standardisationUsesTrainOnly() throws {
        let pool = Self.disjointPool()
        let dataset = try Self.assemble(pool, seed: 11)
        let statistics = try #require(dataset.standardization)
        let raw = pool.features.rows(at: dataset.validation.sourceIDs)
        for column in 0..<2 {
            let trainColumn = dataset.train.features.column(column)
            let mean = trainColumn.reduce(0, +) / Double(trainColumn.count)
            let variance = trainColumn.map { $0 * $0 }.reduce(0, +) / Double(trainColumn.count)
            #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-12, "train column \(column) is standard")
            let validationMean = dataset.validation.features.column(column).reduce(0, +) / Double(raw.rows)
            let expected =
                (raw.column(column).reduce(0, +) / Double(raw.rows) - statistics.means[column])
                / statistics.scales[column]
            #expect(abs(validationMean - expected) < 1e-12)
            #expect(abs(validationMean) > 1e-6, "validation column \(column) keeps its offset")
        }
        #expect(statistics.scales[2] == 1, "the constant feature keeps scale 1")
        #expect(dataset.test.features.column(2).allSatisfy { $0 == 0 })
    }

    @Test("Turning standardisation off keeps the source values")
    func noStandardisation() throws {
        let dataset = try DatasetAssembler.assemble(
            Self.disjointPool(), configuration: DatasetConfiguration(standardizesFeatures: false))
        #expect(dataset.standardization == nil)
        #expect(dataset.train.features == Self.disjointPool().features.rows(at: dataset.train.sourceIDs))
    }

    @Test("A task too small to fill every split is an empty task naming the task and split")
    func emptyTask() throws {
        let error = try #require(throws: DataError.self) { try Self.assemble(Self.disjointPool(sizes: [50, 2])) }
        #expect(error.code == .emptyTask)
        #expect(error.location == .task("t1", split: .test))
    }

    @Test("A target outside a declared kind is a label out of range located by the source")
    func labelOutOfRange() throws {
        let configuration = DatasetConfiguration(targetKinds: .perTask(["second": .binary]))
        let error = try #require(throws: DataError.self) {
            try DatasetAssembler.assemble(Self.sharedPool(), configuration: configuration)
        }
        #expect(error.code == .labelOutOfRange)
        #expect(error.location == .field(line: 4, column: "second"))
        #expect(error.message.contains("found 2.0"))
    }

    @Test("A fixed test pool becomes the test split and train/validation share the rest")
    func fixedTest() throws {
        let test = Self.disjointPool(sizes: [4, 4, 4])
        let dataset = try DatasetAssembler.assemble(
            Self.disjointPool(sizes: [40, 40, 40]), fixedTest: test, configuration: DatasetConfiguration())
        #expect(dataset.test.tasks.map(\.count) == [4, 4, 4])
        #expect(dataset[.train].tasks[0].count == 30 && dataset[.validation].tasks[0].count == 10)
    }

    @Test("Kinds are inferred: 0/1 binary, few whole numbers multiclass, anything else regression")
    func inference() {
        #expect(TargetKindInference.infer([0, 1, 1, 0]) == .binary)
        #expect(TargetKindInference.infer([0, 0]) == .binary)
        #expect(TargetKindInference.infer([0, 2, 1, 4]) == .multiclass(classes: 5))
        #expect(TargetKindInference.infer([0, 1.5, 1]) == .regression)
        #expect(TargetKindInference.infer([-1, 0, 1]) == .regression)
        #expect(TargetKindInference.infer([0, 1, 2, 60]) == .regression)
    }

    @Test("Fractions parse from text and refuse bad sums, negatives and a zero train part")
    func fractions() throws {
        let parsed = try SplitFractions(parsing: "0.7, 0.2, 0.1")
        #expect(parsed.train == 0.7 && parsed.test == 0.1)
        for text in ["0.5,0.2,0.2", "0.6,0.2", "1.2,-0.1,-0.1", "0,0.5,0.5", "a,b,c"] {
            #expect(throws: UsageError.self) { try SplitFractions(parsing: text) }
        }
    }

    @Test("The fingerprint changes when a single target or feature changes")
    func fingerprintSensitivity() throws {
        let dataset = try Self.assemble(Self.sharedPool())
        var target = dataset
        target.validation.tasks[0].targets[0] = 1 - target.validation.tasks[0].targets[0]
        var feature = dataset
        feature.test.features[0, 0] += 1e-9
        let prints = [dataset, target, feature].map { $0.fingerprint() }
        #expect(Set(prints).count == 3)
        #expect(prints[0].count == 64)
    }
}
