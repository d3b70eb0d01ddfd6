// The R-operator (Pearlmutter 1994) applied to a block of D unit directions at once: the columns
// of the exact Hessian or of the Gauss–Newton matrix of a stack, from DGEMMs over
// (examples × directions) instead of one small product per direction.

/// D unit directions e_ℓ in one layer of a stack, ℓ ∈ `indices` counted in the layer's effective
/// parameters: W[r, c] at r·outputs + c, then bias c at inputs·outputs + c.
///
/// An index inputs·outputs + c stands for R{z_L} = e_c, the pre-activation direction, whether or
/// not the layer has a bias (it is the bias direction when it has one); `CurvatureStack+FirstLayer`
/// uses these to read the curvature in z_0.
struct DirectionBlock: Sendable, Equatable {
    let layer: Int
    let indices: Range<Int>

    var count: Int { indices.count }
}

extension CurvatureStack {
    /// A zero accumulator for one layer's rows of the columns of `directions` directions.
    ///
    /// Weights are `inputs_j × (D·outputs_j)`, entry (p, d·outputs_j + q) the curvature entry of
    /// W_j[p, q] along direction d, and the bias has `D·outputs_j` entries, d·outputs_j + q. This
    /// is the order in which a_jᵀ·R{δ_j} leaves a single DGEMM.
    func zeroColumns(directions: Int, layer: Int) -> LayerParameters {
        let width = directions * outputs(ofLayer: layer)
        return LayerParameters(
            weights: Matrix(rows: inputs(ofLayer: layer), columns: width),
            bias: [Double](repeating: 0, count: hasBias(layer: layer) ? width : 0))
    }

    /// Adds one batch's part of the curvature columns of `block` to `columns`, every layer's rows.
    ///
    /// The rows are the sums over the batch of what `propagateDirections` hands over: a_jᵀ·R{δ_j}
    /// and 1ᵀ·R{δ_j} as single products over the `n × (D·outputs_j)` view of R{δ_j}, plus
    /// R{a_j}ᵀ·δ_j for the Hessian above layer L.
    ///
    /// - Precondition: `batch` was prepared for `curvature`; `columns` from `zeroColumns`.
    /// - Complexity: about 2·n·D·Σ_j (inputs_j + 2·[j > L]·inputs_j + 2)·outputs_j flops for the
    ///   Hessian, dominated by a_0ᵀ·R{δ_0}; memory O(n·D·widest layer).
    func accumulateColumns(
        _ curvature: Curvature, block: DirectionBlock, batch: StackBatch, parameters: [LayerParameters],
        into columns: inout [LayerParameters]
    ) {
        propagateDirections(curvature, block: block, batch: batch, parameters: parameters) { layer, rDelta, rInputs in
            accumulateLayerColumns(
                layer, rDelta: rDelta, rInputs: rInputs, batch: batch, repeats: block.count, into: &columns[layer])
        }
    }

    /// Runs the R-operator for the D directions of `block` over one batch and hands every layer's
    /// R{δ_j}, from the output layer down to layer 0, to `visit`, with R{a_j} where the Hessian's
    /// R{a_j}ᵀ·δ_j term applies (layers above L) and nil elsewhere.
    ///
    /// With v = e_ℓ in layer L the R-forward pass starts at L, R{z_L} = a_L·V_L + 1·v_bᵀ (a copy of
    /// a_L's column r in output column c, or ones for a bias or a pre-activation direction), and
    /// continues as R{a_{j+1}} = σ′(z_j) ⊙ R{z_j}, R{z_{j+1}} = R{a_{j+1}}·W_{j+1}; below L both
    /// are zero. From R{δ_T} = s ⊙ ∇²ℓ·R{f} the backward pass of the Hessian is
    ///
    ///     R{∂W_j} = a_jᵀ·R{δ_j} + R{a_j}ᵀ·δ_j,   R{∂b_j} = 1ᵀ·R{δ_j},
    ///     R{δ_{j−1}} = (R{δ_j}·W_jᵀ + δ_j·V_jᵀ) ⊙ σ′(z_{j−1}) + (δ_j·W_jᵀ) ⊙ σ″(z_{j−1}) ⊙ R{z_{j−1}},
    ///
    /// the exact Hessian-vector product of `TaskNetwork+Curvature.swift` for D directions at once.
    /// Gauss–Newton keeps only a_jᵀ·R{δ_j}, the bias sums and R{δ_{j−1}} = R{δ_j}·W_jᵀ ⊙ σ′(z_{j−1}).
    /// Direction blocks are `(n·D) × width`, example-major (see `DirectionBlockArithmetic.swift`),
    /// so each product with a layer's weights is one DGEMM for all D directions.
    func propagateDirections(
        _ curvature: Curvature, block: DirectionBlock, batch: StackBatch, parameters: [LayerParameters],
        visit: (_ layer: Int, _ rDelta: Matrix, _ rInputs: Matrix?) -> Void
    ) {
        let repeats = block.count
        let isHessian = curvature == .hessian
        let empty = Matrix(rows: 0, columns: 0)
        var preActivations = [Matrix](repeating: empty, count: layerCount)
        var inputs = preActivations
        preActivations[block.layer] = unitDirectionImages(block, batch: batch)
        for layer in block.layer..<outputLayer {
            inputs[layer + 1] = repeatedRowsProduct(batch.slopes[layer], preActivations[layer], repeats: repeats)
            preActivations[layer + 1] = matrixProduct(inputs[layer + 1], parameters[layer + 1].weights)
        }

        var rDelta = Matrix(rows: preActivations[outputLayer].rows, columns: outputs(ofLayer: outputLayer))
        for member in tasks.indices {
            losses[member].writeCurvatureProducts(
                outputs: batch.outputs, window: outputColumns(ofMember: member),
                directions: preActivations[outputLayer], repeats: repeats, scales: batch.scales[member],
                into: &rDelta)
        }
        for layer in stride(from: outputLayer, through: 0, by: -1) {
            visit(layer, rDelta, isHessian && layer > block.layer ? inputs[layer] : nil)
            guard layer > 0 else { break }

            var rBack = matrixProduct(rDelta, parameters[layer].weights, transposingB: true)
            if isHessian, layer == block.layer { addDeltaTimesDirections(block, batch: batch, into: &rBack) }
            rDelta =
                isHessian && layer - 1 >= block.layer
                ? repeatedRowsFusedSum(
                    rBack, slopes: batch.slopes[layer - 1], plus: batch.curvatureWeights[layer - 1],
                    preActivations[layer - 1], repeats: repeats)
                : repeatedRowsProduct(batch.slopes[layer - 1], rBack, repeats: repeats)
        }
    }

    /// R{z_L} for every direction of the block: row i·D + d holds a_L[i, r] in column c for W[r, c],
    /// or 1 in column c for bias c.
    private func unitDirectionImages(_ block: DirectionBlock, batch: StackBatch) -> Matrix {
        let repeats = block.count
        let inputs = batch.layerInputs[block.layer]
        let width = outputs(ofLayer: block.layer)
        let weightCount = inputs.columns * width
        var images = Matrix(rows: batch.exampleCount * repeats, columns: width)
        for (direction, index) in block.indices.enumerated() {
            let (row, column) = index < weightCount ? (index / width, index % width) : (-1, index - weightCount)
            for example in 0..<batch.exampleCount {
                images.elements[(example * repeats + direction) * width + column] =
                    row < 0 ? 1 : inputs.elements[example * inputs.columns + row]
            }
        }
        return images
    }

    /// R{back} += δ_L·V_Lᵀ: for W[r, c], row i·D + d gains δ_L[i, c] in column r; biases add nothing.
    private func addDeltaTimesDirections(_ block: DirectionBlock, batch: StackBatch, into rBack: inout Matrix) {
        let repeats = block.count
        let delta = batch.deltas[block.layer]
        let width = outputs(ofLayer: block.layer)
        for (direction, index) in block.indices.enumerated() where index < rBack.columns * width {
            let (row, column) = (index / width, index % width)
            for example in 0..<batch.exampleCount {
                rBack.elements[(example * repeats + direction) * rBack.columns + row] +=
                    delta.elements[example * width + column]
            }
        }
    }

    /// One layer's part of the columns: a_jᵀ·R{δ_j} and 1ᵀ·R{δ_j} as single products over the
    /// `n × (D·outputs_j)` view of R{δ_j}, plus R{a_j}ᵀ·δ_j when `rInputs` is given, which leaves
    /// its DGEMM as `(D·inputs_j) × outputs_j` and is added in the accumulator's order.
    func accumulateLayerColumns(
        _ layer: Int, rDelta: Matrix, rInputs: Matrix?, batch: StackBatch, repeats: Int,
        into columns: inout LayerParameters
    ) {
        let examples = batch.exampleCount
        let width = outputs(ofLayer: layer)
        let wide = Matrix(rows: examples, columns: repeats * width, elements: rDelta.elements)
        accumulateMatrixProduct(batch.layerInputs[layer], wide, into: &columns.weights, transposingA: true)
        if hasBias(layer: layer) { accumulateColumnSums(of: wide, into: &columns.bias) }
        guard let rInputs else { return }

        let inputWidth = inputs(ofLayer: layer)
        let activations = Matrix(rows: examples, columns: repeats * inputWidth, elements: rInputs.elements)
        let products = matrixProduct(activations, batch.deltas[layer], transposingA: true)
        products.elements.withUnsafeBufferPointer { source in
            columns.weights.elements.withUnsafeMutableBufferPointer { target in
                for direction in 0..<repeats {
                    for row in 0..<inputWidth {
                        let from = (direction * inputWidth + row) * width
                        let to = row * repeats * width + direction * width
                        for column in 0..<width { target[to + column] += source[from + column] }
                    }
                }
            }
        }
    }
}
