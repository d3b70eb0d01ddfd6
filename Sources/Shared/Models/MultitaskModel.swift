import Foundation

/// A multitask model: an architecture instantiated for a number of features and a list of task
/// target kinds, with its parameter layout and the network of every task.
///
/// The model holds no parameters and no data. Parameters are a flat `[Double]` laid out by
/// `layout`; data come from a `MultitaskDataset` through `MultitaskObjective`.
public struct MultitaskModel: Sendable, Equatable {
    public let architecture: ModelArchitecture
    /// d, the width of each input row.
    public let featureCount: Int
    /// One per task, in task order.
    public let targetKinds: [TargetKind]
    public let layout: ParameterLayout
    /// The network and loss of every task, weights located in `layout`.
    let networks: [TaskNetwork]

    /// Instantiates `architecture` for `featureCount` inputs and the given tasks.
    ///
    /// - Throws: `ModelError.Code.invalidConfiguration` for no tasks, no features, a hidden width
    ///   or class count below 1 (2 for classes); `ModelError.Code.incompatibleTasks` when linear hard
    ///   sharing or soft sharing meets tasks with different output widths.
    public init(architecture: ModelArchitecture, featureCount: Int, targetKinds: [TargetKind]) throws {
        try Self.validate(architecture: architecture, featureCount: featureCount, targetKinds: targetKinds)
        let losses = targetKinds.map(TaskLoss.init)
        let layout = ParameterLayout(
            architecture: architecture, featureCount: featureCount, outputCounts: losses.map(\.outputCount))

        self.architecture = architecture
        self.featureCount = featureCount
        self.targetKinds = targetKinds
        self.layout = layout
        self.networks = zip(layout.taskBlocks, losses).map { block, loss in
            TaskNetwork(
                layers: Self.plans(architecture: architecture, taskBlock: block, sharedBlock: layout.sharedBlock),
                loss: loss)
        }
    }

    /// Instantiates `architecture` for the features and tasks of `dataset`.
    ///
    /// - Throws: as `init(architecture:featureCount:targetKinds:)`.
    public init(architecture: ModelArchitecture, dataset: MultitaskDataset) throws {
        try self.init(
            architecture: architecture, featureCount: dataset.featureCount,
            targetKinds: dataset.tasks.map(\.targetKind))
    }

    /// K.
    public var taskCount: Int { targetKinds.count }

    /// The number of leading layers every task network reads from the same slices of w: the trunk
    /// of hard sharing, none otherwise. Tasks with the same inputs share their pass through them.
    var trunkLayerCount: Int {
        if case .hardSharing(let trunk) = architecture { return trunk.count }
        return 0
    }

    /// P, the length of the parameter vector.
    public var parameterCount: Int { layout.count }

    /// A random starting point: every weight drawn from N(0, 1/inputs) of its layer (LeCun's
    /// scaling, which keeps tanh units out of saturation), every bias zero.
    ///
    /// Draws come from one `SeededGenerator`, in parameter order, so a seed fixes the result.
    public func makeInitialParameters(seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        var w = [Double](repeating: 0, count: parameterCount)
        for block in layout.taskBlocks + [layout.sharedBlock] {
            for layer in block.layers {
                let scale = 1 / Double(max(layer.inputs, 1)).squareRoot()
                for index in layer.weightRange { w[index] = scale * generator.nextNormal() }
            }
        }
        return w
    }

    // MARK: - Construction

    private static func plans(
        architecture: ModelArchitecture, taskBlock: ParameterBlock, sharedBlock: ParameterBlock
    ) -> [DenseLayerPlan] {
        let hidden = architecture.hiddenLayers
        func plan(_ slices: [LayerSlice], activation: Activation?) -> DenseLayerPlan {
            DenseLayerPlan(
                inputs: slices[0].inputs, outputs: slices[0].outputs, weightOffsets: slices.map(\.weightOffset),
                biasOffsets: slices.compactMap(\.biasOffset), activation: activation)
        }
        switch architecture {
        case .hardSharingLinear:
            return [plan([taskBlock.layers[0], sharedBlock.layers[0]], activation: nil)]
        case .hardSharing:
            let trunk = zip(sharedBlock.layers, hidden).map { plan([$0], activation: $1.activation) }
            return trunk + [plan([taskBlock.layers[0]], activation: nil)]
        case .softSharing:
            return taskBlock.layers.enumerated().map { index, slice in
                plan([slice], activation: index < hidden.count ? hidden[index].activation : nil)
            }
        }
    }

    private static func validate(
        architecture: ModelArchitecture, featureCount: Int, targetKinds: [TargetKind]
    ) throws {
        guard !targetKinds.isEmpty, featureCount >= 1 else {
            throw ModelError(
                .invalidConfiguration,
                "A model needs at least one task and one feature; got \(targetKinds.count) tasks and "
                    + "\(featureCount) features.")
        }
        if let layer = architecture.hiddenLayers.first(where: { $0.width < 1 }) {
            throw ModelError(.invalidConfiguration, "Hidden layers need at least one unit; got width \(layer.width).")
        }
        for case .multiclass(let classes) in targetKinds where classes < 2 {
            throw ModelError(.invalidConfiguration, "A multiclass task needs at least 2 classes; got \(classes).")
        }
        let widths = Set(targetKinds.map { TaskLoss($0).outputCount })
        let needsEqualWidths = architecture == .hardSharingLinear || architecture.isSoftSharing
        if widths.count > 1, needsEqualWidths {
            throw ModelError(
                .incompatibleTasks,
                "This architecture gives every task parameters of the same shape, but the tasks' output "
                    + "widths differ (\(widths.sorted())). Use hard sharing with a trunk for mixed tasks.")
        }
    }
}
