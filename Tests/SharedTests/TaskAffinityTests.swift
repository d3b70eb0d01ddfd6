import Foundation
import Testing

@testable import Shared

@Suite("Task-relatedness baselines against finite differences and hand-built models")
struct TaskAffinityTests {
    /// Central differences with h = 1e-5 of O(1) losses err by about 1e-10 relative (truncation
    /// h² plus rounding ε/h), so cosines built from them agree to 1e-7 while a wrong block, sign
    /// or scale would be off by O(1).
    static let step = 1e-5
    static let differenceTolerance = 1e-7
    /// Lookahead built by hand from the same gradient differs only by the gradient's error times
    /// η·‖∇V‖ and by rounding in the loss: far below 1e-8 for η = 0.05.
    static let lookaheadTolerance = 1e-8

    static let hardTrunk = ModelCase.all.first { $0.name == "hard tanh trunk, mixed heads" }!
    static let softNetwork = ModelCase.all.first { $0.name == "soft tanh network, logistic" }!

    /// g_l by central differences of task l's mean training loss, restricted to `range(l)`.
    static func differenceGradients(
        _ objective: MultitaskObjective, at w: [Double], range: (Int) -> Range<Int>
    ) throws -> [[Double]] {
        try (0..<objective.taskCount).map { task in
            let full = NumericalChecks.gradient(
                of: { (try? objective.meanLoss(task: task, split: .train, at: $0)) ?? .nan }, at: w, step: Self.step)
            return Array(full[range(task)])
        }
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        return dot / norms
    }

    @Test(
        "Gradient cosine equals cosines of differenced training-loss gradients on γ (hard) or the task networks (soft)",
        arguments: [hardTrunk, softNetwork])
    func cosineMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 21)
        let layout = objective.model.layout
        let isSoft = objective.model.architecture.isSoftSharing
        let gradients = try Self.differenceGradients(objective, at: w) { task in
            isSoft ? layout.taskBlocks[task].range : layout.sharedBlock.range
        }
        let cosines = try TaskAffinity.gradientCosine(objective: objective, parameters: w)
        for l in 0..<objective.taskCount {
            for k in 0..<objective.taskCount {
                let expected = Self.cosine(gradients[l], gradients[k])
                #expect(abs(cosines[l, k] - expected) <= Self.differenceTolerance, "l \(l), k \(k)")
            }
        }
        let offDiagonal = Agreement.harmOrderedBetweenTask(cosines, positiveMeansHelps: false)
        #expect(offDiagonal.contains { $0 > 0.05 } || offDiagonal.contains { $0 < -0.05 }, "a test on zeros")
    }

    @Test("Without shared parameters every cosine is NaN and lookahead is zero")
    func noSharedParameters() throws {
        let modelCase = try #require(ModelCase.all.first { $0.name == "heads without trunk, mixed heads" })
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 4)
        #expect(try TaskAffinity.gradientCosine(objective: objective, parameters: w).elements.allSatisfy(\.isNaN))
        #expect(
            try TaskAffinity.lookahead(objective: objective, parameters: w, step: 0.1).elements.allSatisfy { $0 == 0 })
    }

    /// ½(xᵀβ + b − y)² averaged over task k's validation examples, from the dataset directly.
    static func validationLoss(
        _ objective: MultitaskObjective, task: Int, coefficients: [Double], bias: Double
    )
        -> Double
    {
        let split = objective.dataset.validation
        let examples = split.tasks[task]
        let losses = zip(examples.rows, examples.targets).map { row, y in
            let x = split.features.row(row)
            let f = zip(x, coefficients).reduce(bias) { $0 + $1.0 * $1.1 }
            return 0.5 * (f - y) * (f - y)
        }
        return losses.reduce(0, +) / Double(losses.count)
    }

    @Test("Lookahead on linear hard sharing equals 1 − V_k(γ − η g_l, θ_k)/V_k(γ, θ_k) computed by hand")
    func lookaheadMatchesHandBuiltHardSharing() throws {
        let modelCase = try #require(ModelCase.all.first { $0.name == "hard linear, squared" })
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 12)
        let layout = objective.model.layout
        let gamma = Array(w[layout.sharedBlock.range])
        let gradients = try Self.differenceGradients(objective, at: w) { _ in layout.sharedBlock.range }
        let eta = 0.05
        let affinity = try TaskAffinity.lookahead(objective: objective, parameters: w, step: eta)
        #expect(affinity.elements.contains { abs($0) > 1e-3 }, "a test on zeros")
        for l in 0..<objective.taskCount {
            let moved = zip(gamma, gradients[l]).map { $0 - eta * $1 }
            for k in 0..<objective.taskCount {
                // prediction_k(x) = xᵀ(γ + θ_k): no bias in linear hard sharing.
                let theta = Array(w[layout.taskBlocks[k].range])
                let before = Self.validationLoss(
                    objective, task: k, coefficients: zip(gamma, theta).map { $0 + $1 }, bias: 0)
                let after = Self.validationLoss(
                    objective, task: k, coefficients: zip(moved, theta).map { $0 + $1 }, bias: 0)
                #expect(abs(affinity[l, k] - (1 - after / before)) <= Self.lookaheadTolerance, "l \(l), k \(k)")
            }
        }
    }

    @Test("Lookahead on linear soft sharing moves task k's network along task l's own-network gradient")
    func lookaheadMatchesHandBuiltSoftSharing() throws {
        let modelCase = try #require(ModelCase.all.first { $0.name == "soft linear, squared" })
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 13)
        let layout = objective.model.layout
        let gradients = try Self.differenceGradients(objective, at: w) { layout.taskBlocks[$0].range }
        let eta = 0.05
        let affinity = try TaskAffinity.lookahead(objective: objective, parameters: w, step: eta)
        #expect(affinity.elements.contains { abs($0) > 1e-3 }, "a test on zeros")
        let features = objective.dataset.featureCount
        for l in 0..<objective.taskCount {
            for k in 0..<objective.taskCount {
                // θ_k = (β, b): d weights of a d × 1 layer, then its bias.
                let theta = Array(w[layout.taskBlocks[k].range])
                let moved = zip(theta, gradients[l]).map { $0 - eta * $1 }
                let before = Self.validationLoss(
                    objective, task: k, coefficients: Array(theta[..<features]), bias: theta[features])
                let after = Self.validationLoss(
                    objective, task: k, coefficients: Array(moved[..<features]), bias: moved[features])
                #expect(abs(affinity[l, k] - (1 - after / before)) <= Self.lookaheadTolerance, "l \(l), k \(k)")
            }
        }
    }

    @Test("Agreement turns helps-positive matrices around and uses only the between-task entries")
    func agreementOrientation() {
        let harms = Matrix(rowArrays: [[9, 1, 2], [3, -9, 4], [5, 6, 100]])
        #expect(Agreement.harmOrderedBetweenTask(harms, positiveMeansHelps: false) == [1, 2, 3, 4, 5, 6])
        var helps = harms
        for index in helps.elements.indices { helps.elements[index] = -2 * helps.elements[index] }
        helps[0, 0] = 50
        #expect(Agreement.taskMatrixSpearman(helps, aPositiveMeansHelps: true, harms, bPositiveMeansHelps: false) == 1)
        #expect(
            Agreement.taskMatrixSpearman(helps, aPositiveMeansHelps: false, harms, bPositiveMeansHelps: false) == -1)
        helps[0, 1] = .nan
        #expect(
            Agreement.taskMatrixSpearman(helps, aPositiveMeansHelps: true, harms, bPositiveMeansHelps: false).isNaN)
    }
}
