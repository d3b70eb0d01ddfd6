import Testing

@testable import Shared

/// Small multitask problems for the model tests, built directly with the dataset initialisers.
enum ModelFixtures {
    /// A dataset whose targets follow a noisy random linear rule of the features.
    ///
    /// Disjoint layout: task k owns `trainCounts[k]` rows, assigned in a shuffled order so that a
    /// task's rows are not contiguous. Shared inputs: every task lists all `trainCounts[0]` rows.
    /// Validation and test splits have `validationCount` examples per task.
    static func dataset(
        layout: DatasetLayout, targetKinds: [TargetKind], featureCount: Int, trainCounts: [Int],
        validationCount: Int = 5, seed: UInt64
    ) -> MultitaskDataset {
        var generator = SeededGenerator(seed: seed)
        let rules = targetKinds.map { _ in (0..<(featureCount * 4)).map { _ in generator.nextNormal() } }
        func split(_ counts: [Int]) -> SplitData {
            makeSplit(
                layout: layout, targetKinds: targetKinds, rules: rules, featureCount: featureCount, counts: counts,
                generator: &generator)
        }
        return MultitaskDataset(
            name: "fixture", layout: layout, featureNames: (0..<featureCount).map { "x\($0)" },
            tasks: targetKinds.enumerated().map { TaskDescription(name: "task\($0)", targetKind: $1) },
            train: split(trainCounts),
            validation: split(trainCounts.map { _ in validationCount }),
            test: split(trainCounts.map { _ in validationCount }))
    }

    /// A random point N(0, scale²) in every coordinate: never zero, so no derivative vanishes by
    /// symmetry.
    static func randomPoint(count: Int, seed: UInt64, scale: Double = 0.5) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * generator.nextNormal() }
    }

    private static func makeSplit(
        layout: DatasetLayout, targetKinds: [TargetKind], rules: [[Double]], featureCount: Int, counts: [Int],
        generator: inout SeededGenerator
    ) -> SplitData {
        let inputCount = layout == .sharedInputs ? counts[0] : counts.reduce(0, +)
        let features = Matrix(
            rows: inputCount, columns: featureCount,
            elements: (0..<(inputCount * featureCount)).map { _ in generator.nextNormal() })
        var owners = counts.enumerated().flatMap { task, count in [Int](repeating: task, count: count) }
        owners.shuffle(using: &generator)
        let tasks = targetKinds.indices.map { task in
            let rows = layout == .sharedInputs ? Array(0..<inputCount) : owners.indices.filter { owners[$0] == task }
            let targets = rows.map {
                target(kind: targetKinds[task], input: features.row($0), rule: rules[task], generator: &generator)
            }
            return TaskExamples(rows: rows, targets: targets)
        }
        return SplitData(features: features, sourceIDs: Array(0..<inputCount), tasks: tasks)
    }

    private static func target(
        kind: TargetKind, input: [Double], rule: [Double], generator: inout SeededGenerator
    ) -> Double {
        let d = input.count
        func score(_ c: Int) -> Double {
            (0..<d).reduce(0) { $0 + input[$1] * rule[c * d + $1] } + 0.5 * generator.nextNormal()
        }
        switch kind {
        case .regression: return score(0)
        case .binary: return score(0) > 0 ? 1 : 0
        case .multiclass(let classes):
            let scores = (0..<classes).map(score)
            return Double(scores.indices.max { scores[$0] < scores[$1] }!)
        }
    }
}

/// One model kind of the test matrix: architecture, tasks, layout and penalties.
struct ModelCase: Sendable, CustomTestStringConvertible {
    let name: String
    let architecture: ModelArchitecture
    let targetKinds: [TargetKind]
    let layout: DatasetLayout
    let regularization: Regularization

    var testDescription: String { name }

    /// The objective on a fresh fixture dataset with 4 features and tasks of 8, 11, 6, … examples.
    func makeObjective(seed: UInt64 = 11) throws -> MultitaskObjective {
        let counts = targetKinds.indices.map { [8, 11, 6, 9][$0 % 4] }
        let dataset = ModelFixtures.dataset(
            layout: layout, targetKinds: targetKinds, featureCount: 4, trainCounts: counts, seed: seed)
        let model = try MultitaskModel(architecture: architecture, dataset: dataset)
        return try MultitaskObjective(model: model, dataset: dataset, regularization: regularization)
    }

    static let hardPenalty = Regularization(l2: 0.1)
    static let softPenalty = Regularization(l2: 0.05, coupling: 0.7)
    static let mixedTasks: [TargetKind] = [.regression, .binary, .multiclass(classes: 3)]

    /// Every model kind the derivatives are checked for.
    static let all: [ModelCase] = [
        ModelCase(
            name: "hard linear, squared", architecture: .hardSharingLinear,
            targetKinds: [.regression, .regression, .regression], layout: .disjoint, regularization: hardPenalty),
        ModelCase(
            name: "hard linear, logistic", architecture: .hardSharingLinear,
            targetKinds: [.binary, .binary, .binary], layout: .sharedInputs, regularization: hardPenalty),
        ModelCase(
            name: "hard linear, softmax", architecture: .hardSharingLinear,
            targetKinds: [.multiclass(classes: 3), .multiclass(classes: 3)], layout: .disjoint,
            regularization: hardPenalty),
        ModelCase(
            name: "hard tanh trunk, mixed heads",
            architecture: .hardSharing(trunk: [HiddenLayer(width: 4, activation: .tanh)]),
            targetKinds: mixedTasks, layout: .sharedInputs, regularization: hardPenalty),
        ModelCase(
            name: "hard softplus trunk, mixed heads",
            architecture: .hardSharing(trunk: [HiddenLayer(width: 3, activation: .softplus)]),
            targetKinds: mixedTasks, layout: .disjoint, regularization: hardPenalty),
        ModelCase(
            name: "hard two-layer trunk, mixed heads",
            architecture: .hardSharing(trunk: [
                HiddenLayer(width: 4, activation: .tanh), HiddenLayer(width: 3, activation: .softplus),
            ]),
            targetKinds: mixedTasks, layout: .disjoint, regularization: hardPenalty),
        ModelCase(
            name: "heads without trunk, mixed heads", architecture: .hardSharing(trunk: []),
            targetKinds: mixedTasks, layout: .disjoint, regularization: hardPenalty),
        ModelCase(
            name: "soft linear, squared", architecture: .softSharing(hidden: []),
            targetKinds: [.regression, .regression, .regression], layout: .disjoint, regularization: softPenalty),
        ModelCase(
            name: "soft tanh network, logistic",
            architecture: .softSharing(hidden: [HiddenLayer(width: 3, activation: .tanh)]),
            targetKinds: [.binary, .binary, .binary], layout: .sharedInputs, regularization: softPenalty),
        ModelCase(
            name: "soft softplus network, softmax",
            architecture: .softSharing(hidden: [HiddenLayer(width: 3, activation: .softplus)]),
            targetKinds: [.multiclass(classes: 3), .multiclass(classes: 3)], layout: .disjoint,
            regularization: softPenalty),
        ModelCase(
            name: "soft tanh network, squared",
            architecture: .softSharing(hidden: [HiddenLayer(width: 3, activation: .tanh)]),
            targetKinds: [.regression, .regression], layout: .disjoint, regularization: softPenalty),
    ]

    /// The kinds whose outputs are linear in w, where Gauss–Newton equals the Hessian.
    static let singleLayer = all.filter { $0.architecture.hiddenLayers.isEmpty }

    /// The kinds with hidden layers.
    static let networks = all.filter { !$0.architecture.hiddenLayers.isEmpty }
}
