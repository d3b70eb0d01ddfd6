// Gradients of a task's loss for a batch: summed (for the objective), one row per example
// (explicit per-example gradients), and dotted with query vectors without forming them (the
// scoring kernel of MTIF.md §3).

extension TaskNetwork {
    /// The deltas δ_j = ∂(Σᵢ sᵢℓᵢ)/∂z_j of every layer, from the output deltas.
    ///
    /// δ_{j−1} = (δ_j·W_jᵀ) ⊙ σ′(z_{j−1}). Row i of each delta belongs to example i alone, which is
    /// what makes per-example gradients outer products: ∂ℓᵢ/∂W_j = a_{j,i} ⊗ δ_{j,i}.
    ///
    /// - Precondition: `pass` kept its slopes.
    func backpropagate(_ outputDeltas: Matrix, through pass: ForwardPass, parameters: [LayerParameters]) -> [Matrix] {
        precondition(pass.slopes.count == layers.count - 1, "Backpropagation needs the slopes of the forward pass")
        var deltas = [Matrix](repeating: outputDeltas, count: layers.count)
        for index in stride(from: layers.count - 1, to: 0, by: -1) {
            let back = matrixProduct(deltas[index], parameters[index].weights, transposingB: true)
            deltas[index - 1] = hadamardProduct(back, pass.slopes[index - 1])
        }
        return deltas
    }

    /// gradients ← gradients + Σᵢ ∂/∂(W_j, b_j) from the deltas: a_jᵀ·δ_j and the column sums of δ_j.
    func accumulateGradients(deltas: [Matrix], pass: ForwardPass, into gradients: inout [LayerParameters]) {
        for index in layers.indices {
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

    // MARK: - Per-example gradients

    /// Writes ∇_w ℓᵢ of every example of the batch into rows `firstRow…` of `result` (`· × P`).
    ///
    /// Each layer's block of row i is the outer product a_{j,i} ⊗ δ_{j,i} (row-major, matching W's
    /// storage), copied to every slice that feeds the layer; the bias block is δ_{j,i}. Entries of
    /// parameters the task does not read are left untouched (zero in a fresh matrix).
    func writePerExampleGradients(deltas: [Matrix], pass: ForwardPass, into result: inout Matrix, firstRow: Int) {
        let width = result.columns
        result.elements.withUnsafeMutableBufferPointer { out in
            for (index, plan) in layers.enumerated() {
                let a = pass.layerInputs[index]
                let delta = deltas[index]
                for example in 0..<a.rows {
                    let rowBase = (firstRow + example) * width
                    let deltaBase = example * plan.outputs
                    for offset in plan.weightOffsets {
                        for input in 0..<plan.inputs {
                            let activation = a.elements[example * plan.inputs + input]
                            let target = rowBase + offset + input * plan.outputs
                            for output in 0..<plan.outputs {
                                out[target + output] = activation * delta.elements[deltaBase + output]
                            }
                        }
                    }
                    for offset in plan.biasOffsets {
                        for output in 0..<plan.outputs {
                            out[rowBase + offset + output] = delta.elements[deltaBase + output]
                        }
                    }
                }
            }
        }
    }

    /// scores[i, q] += ∇_w ℓᵢ · queries[:, q] for every example i of the batch, without forming ∇ℓᵢ.
    ///
    /// For a layer with W stored `inputs × outputs`, the query's slice Q is `inputs × outputs` and
    /// (a ⊗ δ)·Q = aᵀ·Q·δ. The query matrix is `P × nQ` row-major, so the rows of one layer's slice
    /// already form an `inputs × (outputs·nQ)` matrix: one DGEMM a_j·Q_j gives every aᵢᵀQ for all
    /// queries, and a pass over the batch contracts it with δᵢ. Bias slices add δ_j·Q_b (DGEMM).
    ///
    /// - Complexity: 2·n·nQ·Σ_j inputs_j·outputs_j for the DGEMMs, n·nQ·Σ_j outputs_j for the
    ///   contraction; memory n·nQ·max_j outputs_j.
    func accumulateGradientDots(deltas: [Matrix], pass: ForwardPass, queries: Matrix, into scores: inout Matrix) {
        let queryCount = queries.columns
        for (index, plan) in layers.enumerated() {
            let weightQueries = Self.summedRows(
                of: queries, offsets: plan.weightOffsets, count: plan.inputs * plan.outputs,
                reshapedTo: plan.inputs)
            let projected = matrixProduct(pass.layerInputs[index], weightQueries)
            Self.contract(projected, with: deltas[index], queryCount: queryCount, into: &scores)
            if plan.hasBias {
                let biasQueries = Self.summedRows(
                    of: queries, offsets: plan.biasOffsets, count: plan.outputs, reshapedTo: plan.outputs)
                accumulateMatrixProduct(deltas[index], biasQueries, into: &scores)
            }
        }
    }

    /// scores[i, q] += Σ_c δ[i, c]·projected[i, c·nQ + q].
    private static func contract(_ projected: Matrix, with delta: Matrix, queryCount: Int, into scores: inout Matrix) {
        let outputs = delta.columns
        scores.elements.withUnsafeMutableBufferPointer { s in
            projected.elements.withUnsafeBufferPointer { m in
                delta.elements.withUnsafeBufferPointer { d in
                    for example in 0..<delta.rows {
                        let scoreBase = example * queryCount
                        for output in 0..<outputs {
                            let weight = d[example * outputs + output]
                            let projectedBase = (example * outputs + output) * queryCount
                            for query in 0..<queryCount { s[scoreBase + query] += weight * m[projectedBase + query] }
                        }
                    }
                }
            }
        }
    }

    /// The sum over `offsets` of rows offset..<offset+count of `queries`, viewed as a matrix with
    /// `rows` rows (the rows of a layer slice are contiguous in row-major storage).
    private static func summedRows(of queries: Matrix, offsets: [Int], count: Int, reshapedTo rows: Int) -> Matrix {
        let width = queries.columns
        let first = offsets[0]
        var elements = Array(queries.elements[(first * width)..<((first + count) * width)])
        for offset in offsets.dropFirst() {
            for index in elements.indices { elements[index] += queries.elements[offset * width + index] }
        }
        return Matrix(rows: rows, columns: elements.count / max(rows, 1), elements: elements)
    }
}
