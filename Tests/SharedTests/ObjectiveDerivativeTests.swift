import Foundation
import Testing

@testable import Shared

@Suite("Objective derivatives against central finite differences")
struct ObjectiveDerivativeTests {
    /// Central differences with h = 1e-5 err by about h²·|f‴| ≈ 1e-10 (truncation) plus
    /// ε·|f|/h ≈ 1e-11 (rounding) relative to these O(1) objectives, so 1e-6 leaves four orders of
    /// margin while any wrong term (a missing factor, a dropped second-order term) is O(1).
    static let differenceTolerance = 1e-6
    static let step = 1e-5
    /// The penalty is quadratic, so central differences of any step are exact up to rounding;
    /// a unit step keeps the rounding at ε.
    static let quadraticStep = 1.0

    @Test("Gradient of every model kind equals central differences of the value", arguments: ModelCase.all)
    func gradientMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 3)
        let expected = NumericalChecks.gradient(of: { objective.value(at: $0) }, at: w, step: Self.step)
        let (value, gradient) = objective.valueAndGradient(at: w)
        #expect(NumericalChecks.relativeError(gradient, expected) <= Self.differenceTolerance)
        #expect(abs(value - objective.value(at: w)) <= 1e-14 * abs(value))
    }

    @Test("Hessian-vector product equals central differences of the gradient", arguments: ModelCase.all)
    func hessianProductMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 5)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 6, scale: 1)
        let expected = NumericalChecks.directionalDerivative(
            of: { objective.gradient(at: $0) }, at: w, along: v, step: Self.step)
        #expect(
            NumericalChecks.relativeError(objective.hessianVectorProduct(at: w, v), expected)
                <= Self.differenceTolerance)
    }

    @Test("Task Hessian-vector product equals differences of the task gradient", arguments: ModelCase.all)
    func taskHessianProductMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 7)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 8, scale: 1)
        let task = objective.taskCount - 1
        let expected = NumericalChecks.directionalDerivative(
            of: { objective.taskGradient(task: task, at: $0) }, at: w, along: v, step: Self.step)
        let product = objective.taskHessianVectorProduct(task: task, at: w, v)
        #expect(NumericalChecks.relativeError(product, expected) <= Self.differenceTolerance)
    }

    @Test("Gauss–Newton product equals Jᵀ·∇²ℓ·J·v built from differences of the outputs", arguments: ModelCase.all)
    func gaussNewtonProductMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 9)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 10, scale: 1)
        var expected = penaltyHessianProduct(objective, w, v)
        for task in 0..<objective.taskCount {
            addScaled(lossGaussNewtonProduct(objective, task: task, w, v), scale: 1, to: &expected)
        }
        let product = objective.gaussNewtonVectorProduct(at: w, v)
        #expect(NumericalChecks.relativeError(product, expected) <= Self.differenceTolerance)
    }

    @Test("Hessian blocks A_k, B_k, C equal the blocks of the differenced gradient", arguments: ModelCase.all)
    func hessianBlocksMatchDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 12)
        let expected = NumericalChecks.jacobian(of: { objective.gradient(at: $0) }, at: w, step: Self.step)
        let blocks = objective.hessianBlocks(at: w)
        let layout = objective.model.layout
        let shared = layout.sharedBlock.range
        for (task, block) in layout.taskBlocks.enumerated() {
            let a = NumericalChecks.block(of: expected, rows: block.range, columns: block.range)
            let b = NumericalChecks.block(of: expected, rows: block.range, columns: shared)
            #expect(NumericalChecks.relativeError(blocks.taskBlocks[task], a) <= Self.differenceTolerance)
            #expect(NumericalChecks.relativeError(blocks.couplingBlocks[task], b) <= Self.differenceTolerance)
        }
        let c = NumericalChecks.block(of: expected, rows: shared, columns: shared)
        #expect(NumericalChecks.relativeError(blocks.sharedBlock, c) <= Self.differenceTolerance)
    }

    @Test("Validation-loss gradient equals central differences of the validation loss", arguments: ModelCase.all)
    func validationGradientMatchesDifferences(_ modelCase: ModelCase) throws {
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 13)
        let expected = NumericalChecks.gradient(
            of: { try! objective.meanLoss(task: 0, split: .validation, at: $0) }, at: w, step: Self.step)
        let gradient = try objective.meanLossGradient(task: 0, split: .validation, at: w)
        #expect(NumericalChecks.relativeError(gradient, expected) <= Self.differenceTolerance)
    }

    @Test("ReLU trunk gradient and Hessian product equal differences away from the kinks")
    func reluTrunkMatchesDifferences() throws {
        let modelCase = ModelCase(
            name: "hard ReLU trunk", architecture: .hardSharing(trunk: [HiddenLayer(width: 4, activation: .relu)]),
            targetKinds: ModelCase.mixedTasks, layout: .disjoint, regularization: ModelCase.hardPenalty)
        let objective = try modelCase.makeObjective()
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 14)
        let v = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 15, scale: 1)
        let gradient = NumericalChecks.gradient(of: { objective.value(at: $0) }, at: w, step: Self.step)
        let product = NumericalChecks.directionalDerivative(
            of: { objective.gradient(at: $0) }, at: w, along: v, step: Self.step)
        #expect(NumericalChecks.relativeError(objective.gradient(at: w), gradient) <= Self.differenceTolerance)
        #expect(
            NumericalChecks.relativeError(objective.hessianVectorProduct(at: w, v), product) <= Self.differenceTolerance
        )
    }

    // MARK: - Independent Gauss–Newton reference

    /// (Σ_k ∇²Ω_k)·v from differences of differences of the penalty values (exact for a quadratic).
    private func penaltyHessianProduct(_ objective: MultitaskObjective, _ w: [Double], _ v: [Double]) -> [Double] {
        let total: ([Double]) -> Double = { x in
            (0..<objective.taskCount).reduce(0) { $0 + objective.penaltyValue(task: $1, at: x) }
        }
        return NumericalChecks.directionalDerivative(
            of: { NumericalChecks.gradient(of: total, at: $0, step: Self.quadraticStep) }, at: w, along: v,
            step: Self.quadraticStep)
    }

    /// Jᵀ·(s ⊙ ∇²ℓ·J·v) for one task: J·v and Jᵀ by differences of the outputs, ∇²ℓ in closed form.
    private func lossGaussNewtonProduct(
        _ objective: MultitaskObjective, task: Int, _ w: [Double], _ v: [Double]
    ) -> [Double] {
        let outputs = objective.outputs(task: task, at: w)
        let jv = NumericalChecks.directionalDerivative(
            of: { objective.outputs(task: task, at: $0).elements }, at: w, along: v, step: Self.step)
        let targets = objective.dataset.train.tasks[task].targets
        let n = Double(objective.trainCount(task: task))
        var u = [Double](repeating: 0, count: jv.count)
        let c = outputs.columns
        for example in 0..<outputs.rows {
            let curvature = Self.lossCurvature(
                outputs.row(example), target: targets[example], kind: objective.model.targetKinds[task])
            for row in 0..<c {
                u[example * c + row] = (0..<c).reduce(0) { $0 + curvature[row][$1] * jv[example * c + $1] } / n
            }
        }
        return NumericalChecks.gradient(
            of: { x in dot(objective.outputs(task: task, at: x).elements, u) }, at: w, step: Self.step)
    }

    /// ∇²ℓ with respect to the outputs, written out for each loss.
    private static func lossCurvature(_ f: [Double], target: Double, kind: TargetKind) -> [[Double]] {
        switch kind {
        case .regression: return [[1]]
        case .binary:
            let p = 1 / (1 + exp(-f[0]))
            return [[p * (1 - p)]]
        case .multiclass:
            let largest = f.max()!
            let e = f.map { exp($0 - largest) }
            let p = e.map { $0 / e.reduce(0, +) }
            return p.indices.map { row in p.indices.map { (row == $0 ? p[row] : 0) - p[row] * p[$0] } }
        }
    }
}
