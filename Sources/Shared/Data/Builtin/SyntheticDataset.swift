import Foundation

/// The settings of the synthetic multitask generator; see `SyntheticGenerator`.
public struct SyntheticSpecification: Sendable, Equatable, CustomStringConvertible {
    /// K, the number of tasks.
    public var taskCount = 4
    /// n, examples per task.
    public var examplesPerTask = 100
    /// d, input dimension.
    public var dimension = 10
    /// σ: the standard deviation of regression noise, or the logistic temperature for binary.
    public var noise = 0.5
    /// ρ in [0, 1]: how much of each task's coefficient vector is shared.
    public var sharedFraction = 0.8
    /// How many tasks (the last ones) use the negated shared component.
    public var conflictingTaskCount = 0
    /// Seeds the coefficients, inputs and noise (not the split, which `--seed` controls).
    public var seed: UInt64 = 0
    /// `.regression` or `.binary`.
    public var targetKind: TargetKind = .regression

    public init() {}

    /// Reads `K`, `n`, `d`, `noise`, `shared`, `conflicting`, `seed` and `kind` from a
    /// specification such as `synthetic:K=4,n=100,d=10,noise=0.5,shared=0.8,conflicting=1`.
    ///
    /// - Throws: `UsageError` for an unknown key or a value out of range.
    public init(_ specification: DatasetSpecification) throws(UsageError) {
        try specification.requireOnly(["K", "n", "d", "noise", "shared", "conflicting", "seed", "kind"])
        taskCount = try specification.integer("K", default: taskCount, in: 1...10_000)
        examplesPerTask = try specification.integer("n", default: examplesPerTask, in: 1...100_000_000)
        dimension = try specification.integer("d", default: dimension, in: 1...100_000)
        noise = try specification.real("noise", default: noise, in: 0...1e6)
        sharedFraction = try specification.real("shared", default: sharedFraction, in: 0...1)
        conflictingTaskCount = try specification.integer("conflicting", default: 0, in: 0...taskCount)
        seed = UInt64(try specification.integer("seed", default: 0, in: 0...Int.max))
        let kind = try specification.choice("kind", default: "regression", allowed: ["regression", "binary"])
        targetKind = kind == "binary" ? .binary : .regression
    }

    /// The canonical specification, naming every option.
    public var description: String {
        "synthetic:K=\(taskCount),n=\(examplesPerTask),d=\(dimension),noise=\(noise),shared=\(sharedFraction),"
            + "conflicting=\(conflictingTaskCount),seed=\(seed),kind=\(targetKind)"
    }
}

/// Generated data with the coefficients that produced it, for tests and demonstrations.
public struct SyntheticData: Sendable {
    public let pool: ExamplePool
    /// β_k for each task, each of length d.
    public let coefficients: [[Double]]
    /// The shared component β_shared.
    public let sharedCoefficients: [Double]
    /// The tasks that use −β_shared.
    public let conflictingTasks: Range<Int>
}

/// Linear tasks with tunable relatedness, in the disjoint layout.
///
/// With β_shared and β_k,own drawn independently from N(0, I_d), task k's coefficients are
///
///     β_k = s_k √ρ β_shared + √(1 − ρ) β_k,own,    s_k = −1 for the last `conflicting` tasks, else +1,
///
/// so that for large d the correlation between β_k and β_j (k ≠ j) is about s_k s_j ρ: ρ = 1
/// makes the tasks identical up to sign, ρ = 0 unrelated, and conflicting tasks pull the shared
/// direction the other way (negative transfer by construction). Each task has its own n inputs
/// x ~ N(0, I_d); with the signal z = xᵀβ_k / √d (variance about 1):
/// - regression: y = z + σ ε with ε ~ N(0, 1);
/// - binary: y ~ Bernoulli(1 / (1 + exp(−z / σ))), or y = 1[z > 0] when σ = 0.
///
/// Draw order, fixed so a seed reproduces the data: β_shared, the K own components, then per task
/// its inputs row by row, then its noise.
public enum SyntheticGenerator {
    /// Generates the pool for `specification`.
    ///
    /// - Complexity: O(K n d).
    public static func generate(_ specification: SyntheticSpecification) -> SyntheticData {
        let (k, n, d) = (specification.taskCount, specification.examplesPerTask, specification.dimension)
        var generator = SeededGenerator(seed: specification.seed)
        let (shared, coefficients, conflicting) = drawCoefficients(specification, &generator)

        var features = [Double]()
        features.reserveCapacity(k * n * d)
        let tasks = (0..<k).map { task in
            let start = features.count / d
            let (inputs, targets) = drawExamples(coefficients[task], specification, &generator)
            features += inputs
            return TaskExamples(rows: Array(start..<(start + n)), targets: targets)
        }

        let pool = ExamplePool(
            name: "synthetic", path: specification.description, layout: .disjoint,
            featureNames: (0..<d).map { "x\($0)" }, features: Matrix(rows: k * n, columns: d, elements: features),
            taskNames: (0..<k).map { "task\($0)" }, declaredKinds: Array(repeating: specification.targetKind, count: k),
            tasks: tasks, locate: { row, _ in .arrayElement("y", index: row) })
        return SyntheticData(
            pool: pool, coefficients: coefficients, sharedCoefficients: shared, conflictingTasks: conflicting)
    }

    /// β_shared, then every task's β_k (drawing β_k,own as it goes), and the conflicting tasks.
    private static func drawCoefficients(
        _ specification: SyntheticSpecification, _ generator: inout SeededGenerator
    )
        -> (shared: [Double], coefficients: [[Double]], conflicting: Range<Int>)
    {
        let k = specification.taskCount
        let shared = (0..<specification.dimension).map { _ in generator.nextNormal() }
        let conflicting = (k - specification.conflictingTaskCount)..<k
        let sharedWeight = specification.sharedFraction.squareRoot()
        let ownWeight = (1 - specification.sharedFraction).squareRoot()
        let coefficients = (0..<k).map { task in
            let sign: Double = conflicting.contains(task) ? -1 : 1
            return shared.map { sign * sharedWeight * $0 + ownWeight * generator.nextNormal() }
        }
        return (shared, coefficients, conflicting)
    }

    /// One task's n inputs (row-major, n × d) and then their targets.
    private static func drawExamples(
        _ coefficients: [Double], _ specification: SyntheticSpecification, _ generator: inout SeededGenerator
    ) -> (inputs: [Double], targets: [Double]) {
        let d = specification.dimension
        let inputs = (0..<(specification.examplesPerTask * d)).map { _ in generator.nextNormal() }
        let targets = (0..<specification.examplesPerTask).map { row in
            let x = inputs[(row * d)..<((row + 1) * d)]
            let z = zip(x, coefficients).reduce(0) { $0 + $1.0 * $1.1 } / Double(d).squareRoot()
            return target(signal: z, specification, &generator)
        }
        return (inputs, targets)
    }

    /// One target from the signal z: Gaussian noise for regression, a logistic draw for binary.
    private static func target(
        signal z: Double, _ specification: SyntheticSpecification, _ generator: inout SeededGenerator
    )
        -> Double
    {
        let σ = specification.noise
        guard specification.targetKind == .binary else { return z + σ * generator.nextNormal() }
        let uniform = generator.nextUniform()
        guard σ > 0 else { return z > 0 ? 1 : 0 }
        return uniform < 1 / (1 + exp(-z / σ)) ? 1 : 0
    }
}
