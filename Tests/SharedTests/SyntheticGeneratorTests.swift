import Testing

@testable import Shared

@Suite("Synthetic multitask generator: relatedness, conflict and reproducibility")
struct SyntheticGeneratorTests {
    static func specification(_ text: String) throws -> SyntheticSpecification {
        try SyntheticSpecification(DatasetSpecification(parsing: text))
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let (meanA, meanB) = (a.reduce(0, +) / Double(a.count), b.reduce(0, +) / Double(b.count))
        let covariance = zip(a, b).reduce(0) { $0 + ($1.0 - meanA) * ($1.1 - meanB) }
        let varianceA = a.reduce(0) { $0 + ($1 - meanA) * ($1 - meanA) }
        let varianceB = b.reduce(0) { $0 + ($1 - meanB) * ($1 - meanB) }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// Mean correlation between coefficient vectors over the given task pairs.
    static func meanCorrelation(_ data: SyntheticData, pairs: [(Int, Int)]) -> Double {
        pairs.map { correlation(data.coefficients[$0.0], data.coefficients[$0.1]) }.reduce(0, +) / Double(pairs.count)
    }

    @Test("Conflicting tasks' coefficients correlate negatively with the others, positively among the others")
    func conflictingTasks() throws {
        let data = SyntheticGenerator.generate(
            try Self.specification("synthetic:K=4,n=5,d=400,shared=0.8,conflicting=1,seed=3"))
        #expect(data.conflictingTasks == 3..<4)
        for other in 0..<3 {
            #expect(Self.correlation(data.coefficients[3], data.coefficients[other]) < -0.6, "task 3 against \(other)")
        }
        #expect(Self.meanCorrelation(data, pairs: [(0, 1), (0, 2), (1, 2)]) > 0.6)
    }

    @Test("The shared fraction sets the correlation between tasks (about ρ for large d)")
    func sharedFractionControlsCorrelation() throws {
        let pairs = [(0, 1), (0, 2), (1, 2)]
        var previous = -1.0
        for shared in [0.0, 0.3, 0.6, 0.9] {
            let data = SyntheticGenerator.generate(
                try Self.specification("synthetic:K=3,n=5,d=2000,shared=\(shared),seed=1"))
            let mean = Self.meanCorrelation(data, pairs: pairs)
            // With d = 2000 the sample correlation's spread is about 1/√2000 ≈ 0.022; 0.08 is ~4 sd.
            #expect(abs(mean - shared) < 0.08, "shared \(shared) gave \(mean)")
            #expect(mean > previous)
            previous = mean
        }
    }

    @Test("Without noise, regression targets equal xᵀβ/√d exactly and binary targets its sign")
    func targetsFollowTheFormula() throws {
        for kind in ["regression", "binary"] {
            let data = SyntheticGenerator.generate(
                try Self.specification("synthetic:K=2,n=20,d=5,noise=0,kind=\(kind)"))
            for (task, examples) in data.pool.tasks.enumerated() {
                for (row, target) in zip(examples.rows, examples.targets) {
                    let x = data.pool.features.row(row)
                    let z = zip(x, data.coefficients[task]).reduce(0) { $0 + $1.0 * $1.1 } / 5.0.squareRoot()
                    #expect(target == (kind == "binary" ? (z > 0 ? 1 : 0) : z))
                }
            }
        }
    }

    @Test("The same specification generates the same data; another seed different data")
    func reproducible() throws {
        let first = SyntheticGenerator.generate(try Self.specification("synthetic:K=3,n=10,d=4,seed=9"))
        let again = SyntheticGenerator.generate(try Self.specification("synthetic:K=3,n=10,d=4,seed=9"))
        let other = SyntheticGenerator.generate(try Self.specification("synthetic:K=3,n=10,d=4,seed=10"))
        #expect(first.pool.features == again.pool.features && first.coefficients == again.coefficients)
        #expect(first.pool.features != other.pool.features)
    }

    @Test("A synthetic built-in assembles into a disjoint dataset with the requested shape")
    func assembles() throws {
        let dataset = try DatasetSource.resolve("synthetic:K=3,n=50,d=6,kind=binary", csvLayout: nil).load(
            configuration: DatasetConfiguration(), dataDirectory: DataDirectory(path: "/nonexistent"))
        #expect(dataset.layout == .disjoint && dataset.taskCount == 3 && dataset.featureCount == 6)
        #expect(dataset.tasks.allSatisfy { $0.targetKind == .binary })
        #expect(dataset.train.tasks.map(\.count) == [30, 30, 30])
    }

    @Test(
        "Bad specifications are usage errors naming the option",
        arguments: [
            "synthetic:K=0", "synthetic:shared=1.5", "synthetic:K=2,conflicting=3", "synthetic:kind=poisson",
            "synthetic:noise=-1", "synthetic:depth=3", "synthetic:K", "synthetic:K=2,K=3", "synthetic:n=ten",
        ])
    func badSpecifications(text: String) throws {
        let error = try #require(throws: UsageError.self) { try BuiltinDataset(specification: text) }
        #expect(error.message.contains("synthetic"))
    }

    @Test("The canonical description parses back to the same specification")
    func descriptionRoundTrip() throws {
        let original = try Self.specification(
            "synthetic:K=5,n=30,d=7,noise=0.25,shared=0.5,conflicting=2,seed=4,kind=binary")
        #expect(try Self.specification(original.description) == original)
    }
}
