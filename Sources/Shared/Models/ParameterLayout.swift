/// Where one dense layer's weights and bias live in the flat parameter vector.
///
/// The weight matrix W (`inputs × outputs`) is stored row-major at `weightOffset`: element (r, c)
/// is w[weightOffset + r·outputs + c]. The bias, when present, follows at `biasOffset`.
/// Offsets are absolute positions in w.
public struct LayerSlice: Sendable, Hashable, Codable {
    public let inputs: Int
    public let outputs: Int
    public let weightOffset: Int
    /// nil for a layer without bias (linear hard sharing).
    public let biasOffset: Int?

    /// Positions of W in w.
    public var weightRange: Range<Int> { weightOffset..<(weightOffset + inputs * outputs) }

    /// Positions of the bias in w; empty when the layer has none.
    public var biasRange: Range<Int> {
        guard let biasOffset else { return weightRange.upperBound..<weightRange.upperBound }
        return biasOffset..<(biasOffset + outputs)
    }

    /// Number of parameters: weights plus bias.
    public var parameterCount: Int { inputs * outputs + (biasOffset == nil ? 0 : outputs) }
}

/// A contiguous block of w (one θ_k, or γ) and the layers stored in it, in order, each layer's
/// weights followed by its bias.
public struct ParameterBlock: Sendable, Hashable, Codable {
    /// Positions of the block in w.
    public let range: Range<Int>
    public let layers: [LayerSlice]

    /// Lays out `shapes` (inputs, outputs, has bias) one after the other from `offset`.
    init(offset: Int, shapes: [(inputs: Int, outputs: Int, hasBias: Bool)]) {
        var next = offset
        var layers: [LayerSlice] = []
        for shape in shapes {
            let weightOffset = next
            next += shape.inputs * shape.outputs
            let biasOffset = shape.hasBias ? next : nil
            next += shape.hasBias ? shape.outputs : 0
            layers.append(
                LayerSlice(
                    inputs: shape.inputs, outputs: shape.outputs, weightOffset: weightOffset, biasOffset: biasOffset))
        }
        self.range = offset..<next
        self.layers = layers
    }

    /// Number of parameters in the block (d_k for a task block, p for the shared block).
    public var count: Int { range.count }
}

/// The layout of w = (θ_1, …, θ_K, γ): task blocks first, in task order, the shared block last.
///
/// This split is the block-arrowhead structure of method.md §4: A_k is the Hessian restricted to
/// `taskBlocks[k].range`, C to `sharedBlock.range`, and B_k couples the two.
///
/// - Linear hard sharing: θ_k = one `d × C` layer without bias; γ the same shape.
/// - Hard sharing with a trunk: θ_k = head (`h × C_k` weights, C_k bias); γ = trunk layers, first
///   to last, each weights then bias; γ is empty without a trunk.
/// - Soft sharing: θ_k = the task network, first layer to output layer; γ the same shape.
public struct ParameterLayout: Sendable, Hashable, Codable {
    public let taskBlocks: [ParameterBlock]
    public let sharedBlock: ParameterBlock

    /// P, the length of w.
    public var count: Int { sharedBlock.range.upperBound }

    /// K, the number of task blocks.
    public var taskCount: Int { taskBlocks.count }

    /// Builds the layout for `architecture` on `featureCount` inputs with the given output widths.
    ///
    /// - Precondition: widths agree when the architecture needs them to (checked and thrown by
    ///   `MultitaskModel`).
    init(architecture: ModelArchitecture, featureCount: Int, outputCounts: [Int]) {
        var taskShapes: [[(inputs: Int, outputs: Int, hasBias: Bool)]]
        var sharedShapes: [(inputs: Int, outputs: Int, hasBias: Bool)]
        switch architecture {
        case .hardSharingLinear:
            taskShapes = outputCounts.map { [(featureCount, $0, false)] }
            sharedShapes = [(featureCount, outputCounts.first ?? 0, false)]
        case .hardSharing(let trunk):
            sharedShapes = Self.hiddenShapes(trunk, featureCount: featureCount)
            let headInputs = trunk.last?.width ?? featureCount
            taskShapes = outputCounts.map { [(headInputs, $0, true)] }
        case .softSharing(let hidden):
            let hiddenShapes = Self.hiddenShapes(hidden, featureCount: featureCount)
            taskShapes = outputCounts.map { hiddenShapes + [(hidden.last?.width ?? featureCount, $0, true)] }
            sharedShapes = taskShapes.first ?? []
        }

        var blocks: [ParameterBlock] = []
        for shapes in taskShapes {
            blocks.append(ParameterBlock(offset: blocks.last?.range.upperBound ?? 0, shapes: shapes))
        }
        self.taskBlocks = blocks
        self.sharedBlock = ParameterBlock(offset: blocks.last?.range.upperBound ?? 0, shapes: sharedShapes)
    }

    private static func hiddenShapes(
        _ layers: [HiddenLayer], featureCount: Int
    ) -> [(inputs: Int, outputs: Int, hasBias: Bool)] {
        var inputs = featureCount
        return layers.map { layer in
            defer { inputs = layer.width }
            return (inputs, layer.width, true)
        }
    }
}
