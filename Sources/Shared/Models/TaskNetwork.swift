/// One dense layer of a task's network and where its effective weights come from in w.
///
/// The effective weight matrix is the sum of the slices of w at `weightOffsets`: one slice for
/// most layers, two for linear hard sharing, where W = γ + θ_k. Because the map from w to the
/// effective weights is linear (W = M·w), gradients scatter back by Mᵀ (each slice receives the
/// full effective gradient) and the Hessian is Mᵀ·H_eff·M.
struct DenseLayerPlan: Sendable, Equatable {
    let inputs: Int
    let outputs: Int
    /// Offsets of the `inputs × outputs` row-major slices summed into W.
    let weightOffsets: [Int]
    /// Offsets of the `outputs`-long slices summed into the bias; empty for no bias.
    let biasOffsets: [Int]
    /// σ after the layer; nil for the output layer.
    let activation: Activation?

    var hasBias: Bool { !biasOffsets.isEmpty }
}

/// Effective weights (`inputs × outputs`) and bias of one layer, or a gradient or direction of
/// the same shape.
struct LayerParameters: Sendable {
    var weights: Matrix
    /// Empty when the layer has no bias.
    var bias: [Double]
}

/// The activations of one batch: everything backpropagation and the R-operator read.
///
/// Layer j maps `layerInputs[j]` (a_j, `n × inputs_j`) to `preActivations[j]` (z_j = a_j·W_j + b_j);
/// a_{j+1} = σ_j(z_j). The last pre-activation is the output f. `slopes[j]` = σ_j′(z_j) for the
/// hidden layers, present when the pass was made for derivatives.
struct ForwardPass {
    var layerInputs: [Matrix]
    var preActivations: [Matrix]
    var slopes: [Matrix]

    /// A pass that has not been through any layer yet.
    init(features: Matrix) {
        self.layerInputs = [features]
        self.preActivations = []
        self.slopes = []
    }

    var outputs: Matrix { preActivations[preActivations.count - 1] }
}

/// The network and loss of one task, with its weights located in w: the engine behind every
/// derivative of method.md (1).
///
/// Batches are `n × d` feature matrices (one row per example, row-major). Functions that
/// accumulate write effective-layer quantities; `scatterAdd` maps them back onto w.
struct TaskNetwork: Sendable, Equatable {
    let layers: [DenseLayerPlan]
    let loss: TaskLoss

    /// Reads the effective layer weights out of w (sums of slices where weights are shared).
    func parameters(from w: [Double]) -> [LayerParameters] {
        layers.map { plan in
            LayerParameters(
                weights: Matrix(
                    rows: plan.inputs, columns: plan.outputs,
                    elements: Self.sumOfSlices(w, offsets: plan.weightOffsets, count: plan.inputs * plan.outputs)),
                bias: Self.sumOfSlices(w, offsets: plan.biasOffsets, count: plan.outputs))
        }
    }

    /// Zero effective parameters, the starting value of an accumulated gradient.
    func zeroParameters() -> [LayerParameters] {
        layers.map { plan in
            LayerParameters(
                weights: Matrix(rows: plan.inputs, columns: plan.outputs),
                bias: [Double](repeating: 0, count: plan.hasBias ? plan.outputs : 0))
        }
    }

    /// g ← g + scale·Mᵀ·quantities for the layers in `range` (all by default): every slice of w
    /// that feeds a layer receives that layer's quantity.
    func scatterAdd(
        _ quantities: [LayerParameters], into g: inout [Double], layers range: Range<Int>? = nil, scale: Double = 1
    ) {
        for index in range ?? layers.indices {
            let plan = layers[index]
            for offset in plan.weightOffsets {
                Self.addScaled(quantities[index].weights.elements, scale: scale, into: &g, at: offset)
            }
            for offset in plan.biasOffsets {
                Self.addScaled(quantities[index].bias, scale: scale, into: &g, at: offset)
            }
        }
    }

    /// Runs a batch through the whole network.
    ///
    /// - Parameters:
    ///   - features: `n × d`, one row per example.
    ///   - parameters: effective weights from `parameters(from:)`.
    ///   - keepingSlopes: whether to store σ′ for backpropagation.
    /// - Complexity: 2·n·Σ_j inputs_j·outputs_j floating-point operations (DGEMM).
    func forward(_ features: Matrix, parameters: [LayerParameters], keepingSlopes: Bool) -> ForwardPass {
        forward(
            continuing: ForwardPass(features: features), layers: layers.indices, parameters: parameters,
            keepingSlopes: keepingSlopes)
    }

    /// Runs the layers in `range` on a pass that stops just before them, such as a trunk pass
    /// shared by several tasks; the input pass is extended, not copied element by element.
    ///
    /// - Precondition: `pass` has been through exactly the layers before `range`.
    func forward(
        continuing pass: ForwardPass, layers range: Range<Int>, parameters: [LayerParameters], keepingSlopes: Bool
    ) -> ForwardPass {
        precondition(pass.preActivations.count == range.lowerBound, "The pass must stop where the layers start")
        precondition(pass.layerInputs[0].columns == layers[0].inputs, "Network reads \(layers[0].inputs) features")
        var pass = pass
        for index in range {
            let z = Self.affine(pass.layerInputs[index], parameters[index])
            pass.preActivations.append(z)
            guard let activation = layers[index].activation else { continue }
            let a = activation.values(of: z)
            if keepingSlopes { pass.slopes.append(activation.slopes(preActivations: z, values: a)) }
            pass.layerInputs.append(a)
        }
        return pass
    }

    /// a·W + 1·bᵀ for a batch a, through one DGEMM onto the broadcast bias.
    static func affine(_ input: Matrix, _ layer: LayerParameters) -> Matrix {
        var z =
            layer.bias.isEmpty
            ? Matrix(rows: input.rows, columns: layer.weights.columns)
            : Matrix(repeatingRow: layer.bias, count: input.rows)
        accumulateMatrixProduct(input, layer.weights, into: &z, existingScale: 1)
        return z
    }

    // MARK: - Slices of w

    private static func sumOfSlices(_ w: [Double], offsets: [Int], count: Int) -> [Double] {
        guard let first = offsets.first else { return [] }
        var sum = Array(w[first..<(first + count)])
        for offset in offsets.dropFirst() {
            for index in 0..<count { sum[index] += w[offset + index] }
        }
        return sum
    }

    private static func addScaled(_ x: [Double], scale: Double, into g: inout [Double], at offset: Int) {
        precondition(offset + x.count <= g.count, "Slice \(offset)..<\(offset + x.count) exceeds \(g.count)")
        x.withUnsafeBufferPointer { px in
            g.withUnsafeMutableBufferPointer { pg in
                guard let source = px.baseAddress, let target = pg.baseAddress else { return }
                DenseKernels.addScaled(source, scale: scale, to: target + offset, count: x.count)
            }
        }
    }
}
