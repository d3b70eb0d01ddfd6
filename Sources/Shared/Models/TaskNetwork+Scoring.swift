// Per-example gradients of a task's loss for a batch: written out one row per example, or dotted
// with query vectors without being formed (the scoring kernel of method.md §3).

/// One layer's slices of a `P × nQ` query matrix: `inputs × (outputs·nQ)` for the weights,
/// `outputs × nQ` for the bias.
struct LayerQueries {
    let weights: Matrix
    let bias: Matrix?
}

extension TaskNetwork {
    // MARK: - Per-example gradients

    /// Writes ∇_w ℓᵢ of every example of the batch into rows `firstRow…` of `result` (`· × P`).
    ///
    /// Each layer's block of row i is the outer product a_{j,i} ⊗ δ_{j,i} (row-major, matching W's
    /// storage), copied to every slice that feeds the layer; the bias block is δ_{j,i}. Entries of
    /// parameters the task does not read are left untouched (zero in a fresh matrix).
    func writePerExampleGradients(deltas: [Matrix], pass: ForwardPass, into result: inout Matrix, firstRow: Int) {
        let width = result.columns
        for (index, plan) in layers.enumerated() {
            pass.layerInputs[index].elements.withUnsafeBufferPointer { a in
                deltas[index].elements.withUnsafeBufferPointer { delta in
                    result.elements.withUnsafeMutableBufferPointer { out in
                        for example in 0..<pass.layerInputs[index].rows {
                            let row = out.baseAddress! + (firstRow + example) * width
                            let exampleDelta = delta.baseAddress! + example * plan.outputs
                            let exampleInput = a.baseAddress! + example * plan.inputs
                            for offset in plan.weightOffsets {
                                Self.writeOuterProduct(
                                    exampleInput, plan.inputs, exampleDelta, plan.outputs, into: row + offset)
                            }
                            for offset in plan.biasOffsets {
                                (row + offset).update(from: exampleDelta, count: plan.outputs)
                            }
                        }
                    }
                }
            }
        }
    }

    /// target[r·n + c] = a[r]·b[c], the row-major m × n outer product.
    private static func writeOuterProduct(
        _ a: UnsafePointer<Double>, _ m: Int, _ b: UnsafePointer<Double>, _ n: Int,
        into target: UnsafeMutablePointer<Double>
    ) {
        for r in 0..<m {
            let scale = a[r]
            let row = target + r * n
            for c in 0..<n { row[c] = scale * b[c] }
        }
    }

    /// The query slices of every layer, cut once per scoring call.
    ///
    /// The query matrix is `P × nQ` row-major, so the rows of one layer's weight slice already form
    /// an `inputs × (outputs·nQ)` matrix (element (r, c·nQ + q) is query q's entry for W[r, c]), and
    /// its bias rows an `outputs × nQ` matrix. Where several slices of w feed one layer (linear hard
    /// sharing) their query rows are summed, because the gradient of each slice is the layer's.
    func querySlices(_ queries: Matrix) -> [LayerQueries] {
        layers.map { plan in
            LayerQueries(
                weights: Self.summedRows(
                    of: queries, offsets: plan.weightOffsets, count: plan.inputs * plan.outputs,
                    reshapedTo: plan.inputs),
                bias: plan.hasBias
                    ? Self.summedRows(
                        of: queries, offsets: plan.biasOffsets, count: plan.outputs, reshapedTo: plan.outputs)
                    : nil)
        }
    }

    /// scores[i, q] += ∇_w ℓᵢ · queries[:, q] for every example i of the batch, without forming ∇ℓᵢ,
    /// over the layers in `range` (all by default).
    ///
    /// For a layer with W stored `inputs × outputs`, the query's slice Q is `inputs × outputs` and
    /// (a ⊗ δ)·Q = aᵀ·Q·δ: one DGEMM a_j·Q_j gives every aᵢᵀQ for all queries (`queryProjection`),
    /// and a pass over the batch contracts it with δᵢ. Bias slices add δ_j·Q_b (DGEMM).
    ///
    /// - Complexity: 2·n·nQ·Σ_j inputs_j·outputs_j for the DGEMMs, n·nQ·Σ_j outputs_j for the
    ///   contraction; memory n·nQ·max_j outputs_j.
    func accumulateGradientDots(
        deltas: [Matrix], pass: ForwardPass, slices: [LayerQueries], into scores: inout Matrix,
        layers range: Range<Int>? = nil
    ) {
        for index in range ?? layers.indices {
            let projected = Self.queryProjection(pass.layerInputs[index], slices[index])
            Self.accumulateLayerDots(projected: projected, delta: deltas[index], slices: slices[index], into: &scores)
        }
    }

    /// a_j·Q_j (`n × outputs_j·nQ`, element (i, c·nQ + q) = aᵢᵀ·Q_q[:, c]): the part of the dot
    /// products that does not depend on the deltas, hence on the task, when the layer belongs to a
    /// trunk shared by tasks with the same inputs.
    static func queryProjection(_ layerInput: Matrix, _ slices: LayerQueries) -> Matrix {
        matrixProduct(layerInput, slices.weights)
    }

    /// scores += the dots of one layer: the contraction of the projections with δ, plus δ·Q_b.
    static func accumulateLayerDots(projected: Matrix, delta: Matrix, slices: LayerQueries, into scores: inout Matrix) {
        contract(projected, with: delta, queryCount: scores.columns, into: &scores)
        if let bias = slices.bias { accumulateMatrixProduct(delta, bias, into: &scores) }
    }

    /// scores[i, q] += Σ_c δ[i, c]·projected[i, c·nQ + q]: the dot products of one layer.
    ///
    /// Eight queries at a time are summed in a SIMD register over c and stored once, so the loop
    /// reads the projections once and writes the scores once.
    static func contract(_ projected: Matrix, with delta: Matrix, queryCount: Int, into scores: inout Matrix) {
        let outputs = delta.columns
        precondition(projected.rows == delta.rows && scores.rows == delta.rows, "Batch sizes disagree")
        precondition(projected.columns == outputs * queryCount && scores.columns == queryCount, "Widths disagree")
        scores.elements.withUnsafeMutableBufferPointer { s in
            projected.elements.withUnsafeBufferPointer { m in
                delta.elements.withUnsafeBufferPointer { d in
                    guard let scoreBase = s.baseAddress, let projectedBase = m.baseAddress else { return }
                    for example in 0..<delta.rows {
                        contractRow(
                            projectedBase + example * outputs * queryCount, d.baseAddress! + example * outputs,
                            outputs: outputs, queryCount: queryCount, into: scoreBase + example * queryCount)
                    }
                }
            }
        }
    }

    /// target[q] += Σ_c weights[c]·block[c·nQ + q].
    @inline(__always)
    private static func contractRow(
        _ block: UnsafePointer<Double>, _ weights: UnsafePointer<Double>, outputs: Int, queryCount: Int,
        into target: UnsafeMutablePointer<Double>
    ) {
        let vectorEnd = queryCount - queryCount % 8
        for query in stride(from: 0, to: vectorEnd, by: 8) {
            var sum = SIMD8<Double>()
            for output in 0..<outputs {
                let values = UnsafeRawPointer(block + output * queryCount + query).loadUnaligned(as: SIMD8<Double>.self)
                // `addProduct` would become eight scalar libm fma calls on Linux.
                sum += SIMD8(repeating: weights[output]) * values
            }
            let destination = UnsafeMutableRawPointer(target + query)
            destination.storeBytes(of: destination.loadUnaligned(as: SIMD8<Double>.self) + sum, as: SIMD8<Double>.self)
        }
        for query in vectorEnd..<queryCount {
            var sum = 0.0
            for output in 0..<outputs { sum += weights[output] * block[output * queryCount + query] }
            target[query] += sum
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
