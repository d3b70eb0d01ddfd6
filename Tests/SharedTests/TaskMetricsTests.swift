import Foundation
import Testing

@testable import Shared

@Suite("Task metrics on a held-out split: mean loss and accuracy against a hand computation")
struct TaskMetricsTests {
    /// Sums of a few dozen terms of order 1: round-off stays far below this.
    static let tolerance = 1e-12

    /// Independent linear heads with bias (`hard:none`): f_k(x) = x·W_k + b_k, with W_k
    /// (d × C) and b_k read from w by the documented layout.
    static func handOutputs(_ x: [Double], task: Int, model: MultitaskModel, w: [Double]) -> [Double] {
        let layer = model.layout.taskBlocks[task].layers[0]
        return (0..<layer.outputs).map { c in
            let weighted = (0..<layer.inputs).reduce(0) { $0 + x[$1] * w[layer.weightOffset + $1 * layer.outputs + c] }
            return weighted + w[layer.biasOffset! + c]
        }
    }

    static func handLoss(_ f: [Double], target y: Double, kind: TargetKind) -> Double {
        switch kind {
        case .regression: 0.5 * (f[0] - y) * (f[0] - y)
        case .binary: log(1 + exp(f[0])) - y * f[0]
        case .multiclass: log(f.map(exp).reduce(0, +)) - f[Int(y)]
        }
    }

    static func handIsCorrect(_ f: [Double], target y: Double, kind: TargetKind) -> Bool {
        switch kind {
        case .regression: false
        case .binary: (1 / (1 + exp(-f[0])) > 0.5 ? 1.0 : 0.0) == y
        case .multiclass: f.firstIndex(of: f.max()!)! == Int(y)
        }
    }

    @Test("Loss and accuracy of every task equal the hand computation; regression has no accuracy")
    func metricsEqualHandComputation() throws {
        let kinds: [TargetKind] = [.binary, .multiclass(classes: 3), .regression]
        let dataset = ModelFixtures.dataset(
            layout: .disjoint, targetKinds: kinds, featureCount: 3, trainCounts: [9, 8, 7], validationCount: 12,
            seed: 3)
        let model = try MultitaskModel(architecture: .hardSharing(trunk: []), dataset: dataset)
        let objective = try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: 0.1))
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: 8, scale: 1)

        let metrics = try TaskMetrics.measure(objective: objective, parameters: w, split: .test)
        #expect(metrics.count == 3)
        for (task, kind) in kinds.enumerated() {
            let examples = dataset.test.tasks[task]
            let outputs = examples.rows.map {
                Self.handOutputs(dataset.test.features.row($0), task: task, model: model, w: w)
            }
            let losses = zip(outputs, examples.targets).map { Self.handLoss($0, target: $1, kind: kind) }
            let correct = zip(outputs, examples.targets).filter { Self.handIsCorrect($0, target: $1, kind: kind) }
            #expect(abs(metrics[task].loss - losses.reduce(0, +) / 12) < Self.tolerance)
            if kind == .regression {
                #expect(metrics[task].accuracy.isNaN)
            } else {
                #expect(metrics[task].accuracy == Double(correct.count) / 12)
                #expect(
                    correct.count > 0 && correct.count < 12,
                    "a random model should be neither right nor wrong throughout")
            }
        }
    }

    @Test("Accuracy follows the 0.5 probability threshold and the first arg max on ties")
    func accuracyRules() {
        let binary = Matrix(rowArrays: [[0.3], [-0.2], [0], [2]])
        #expect(TaskMetrics.accuracy(outputs: binary, targets: [1, 0, 0, 0], kind: .binary) == 0.75)
        let classes = Matrix(rowArrays: [[1, 1, 0], [0, 2, 2], [0, 0, 3]])
        #expect(TaskMetrics.accuracy(outputs: classes, targets: [0, 2, 2], kind: .multiclass(classes: 3)) == 2.0 / 3)
    }
}
