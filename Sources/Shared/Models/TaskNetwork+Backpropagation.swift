// Backpropagation through a task's network for a batch: the deltas of every layer and the summed
// gradient they give.

extension TaskNetwork {
    /// The deltas δ_j = ∂(Σᵢ sᵢℓᵢ)/∂z_j of every layer, from the output deltas.
    ///
    /// δ_{j−1} = (δ_j·W_jᵀ) ⊙ σ′(z_{j−1}). Row i of each delta belongs to example i alone, which is
    /// what makes per-example gradients outer products: ∂ℓᵢ/∂W_j = a_{j,i} ⊗ δ_{j,i}.
    ///
    /// - Precondition: `pass` kept its slopes.
    func backpropagate(_ outputDeltas: Matrix, through pass: ForwardPass, parameters: [LayerParameters]) -> [Matrix] {
        backpropagate(outputDeltas, fromLayer: layers.count - 1, downTo: 0, through: pass, parameters: parameters)
    }

    /// The deltas of layers `bottom…top`, starting from the deltas of layer `top`; entries outside
    /// that range are empty. Used to stop at the trunk (heads) or to start at its top (trunk).
    ///
    /// Backpropagation is linear in the starting deltas, so the trunk deltas of several tasks can be
    /// summed at the top of the trunk and sent down once.
    func backpropagate(
        _ topDeltas: Matrix, fromLayer top: Int, downTo bottom: Int, through pass: ForwardPass,
        parameters: [LayerParameters]
    ) -> [Matrix] {
        precondition(bottom == top || pass.slopes.count >= top, "Backpropagation needs the slopes of the forward pass")
        var deltas = [Matrix](repeating: Matrix(rows: 0, columns: 0), count: layers.count)
        deltas[top] = topDeltas
        for index in stride(from: top, to: bottom, by: -1) {
            let back = matrixProduct(deltas[index], parameters[index].weights, transposingB: true)
            deltas[index - 1] = hadamardProduct(back, pass.slopes[index - 1])
        }
        return deltas
    }

    /// gradients ← gradients + Σᵢ ∂/∂(W_j, b_j) from the deltas: a_jᵀ·δ_j and the column sums of δ_j,
    /// for the layers in `range` (all by default).
    func accumulateGradients(
        deltas: [Matrix], pass: ForwardPass, into gradients: inout [LayerParameters], layers range: Range<Int>? = nil
    ) {
        for index in range ?? layers.indices {
            accumulateMatrixProduct(
                pass.layerInputs[index], deltas[index], into: &gradients[index].weights, transposingA: true)
            if layers[index].hasBias { accumulateColumnSums(of: deltas[index], into: &gradients[index].bias) }
        }
    }

    /// Σᵢ sᵢℓᵢ over a batch, and its gradient added to `gradients` (effective layers).
    ///
    /// - Parameters:
    ///   - scales: sᵢ = c_ki / n_k for the objective, 1 for a plain sum.
    /// - Complexity: about three times the forward pass.
    func accumulateLossGradient(
        features: Matrix, targets: ArraySlice<Double>, scales: [Double], parameters: [LayerParameters],
        into gradients: inout [LayerParameters]
    ) -> Double {
        let pass = forward(features, parameters: parameters, keepingSlopes: true)
        let losses = loss.values(outputs: pass.outputs, targets: targets)
        let outputDeltas = loss.gradients(outputs: pass.outputs, targets: targets, scales: scales)
        accumulateGradients(
            deltas: backpropagate(outputDeltas, through: pass, parameters: parameters), pass: pass,
            into: &gradients)
        return zip(losses, scales).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The unscaled per-example deltas of a batch and the pass they came from.
    func perExampleDeltas(
        features: Matrix, targets: ArraySlice<Double>, parameters: [LayerParameters]
    ) -> (pass: ForwardPass, deltas: [Matrix]) {
        let pass = forward(features, parameters: parameters, keepingSlopes: true)
        let ones = [Double](repeating: 1, count: features.rows)
        let outputDeltas = loss.gradients(outputs: pass.outputs, targets: targets, scales: ones)
        return (pass, backpropagate(outputDeltas, through: pass, parameters: parameters))
    }
}
