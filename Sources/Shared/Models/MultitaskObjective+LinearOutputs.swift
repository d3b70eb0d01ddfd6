// Direct assembly of the Hessian blocks for models whose outputs are linear in w (linear hard
// sharing, heads without a trunk, linear soft sharing). There the Hessian of a task's loss in
// its one layer's effective parameters (W, b) is
//
//     Σᵢ sᵢ·(ãᵢ·ãᵢᵀ) ⊗ ∇²ℓᵢ,   ãᵢ = (xᵢ, 1) with the 1 only when the layer has a bias,
//
// which a few DGEMMs build at once instead of one Hessian-vector product per parameter.

extension MultitaskModel {
    /// Whether every task's outputs are linear in w: one layer per task network.
    var hasLinearOutputs: Bool { networks.allSatisfy { $0.layers.count == 1 } }
}

extension MultitaskObjective {
    /// The blocks A_k, B_k, C for a model with linear outputs, assembled directly.
    ///
    /// - Precondition: `model.hasLinearOutputs`.
    /// - Complexity: per task, C(C + 1)/2 products of `(d+1) × n` by `n × (d+1)`; no P × P storage.
    func linearOutputHessianBlocks(at w: [Double]) -> HessianBlocks {
        precondition(model.hasLinearOutputs, "Direct assembly needs outputs that are linear in w")
        let layout = model.layout
        let shared = layout.sharedBlock.range
        var sharedBlock = Matrix(rows: shared.count, columns: shared.count)
        var taskBlocks: [Matrix] = []
        var couplingBlocks: [Matrix] = []
        for (task, block) in layout.taskBlocks.enumerated() {
            var a = Matrix(rows: block.count, columns: block.count)
            var b = Matrix(rows: block.count, columns: shared.count)
            let effective = effectiveLossHessian(task: task, at: w)
            let indices = globalIndices(task: task)
            for rowIndices in indices {
                for columnIndices in indices {
                    for (local, row) in rowIndices.enumerated() {
                        for (otherLocal, column) in columnIndices.enumerated() {
                            let value = effective[local, otherLocal]
                            if block.range.contains(row) {
                                if block.range.contains(column) {
                                    a[row - block.range.lowerBound, column - block.range.lowerBound] += value
                                } else {
                                    b[row - block.range.lowerBound, column - shared.lowerBound] += value
                                }
                            } else if shared.contains(column) {
                                sharedBlock[row - shared.lowerBound, column - shared.lowerBound] += value
                            }
                        }
                    }
                }
            }
            penalty.addHessianBlocks(task: task, taskBlock: &a, couplingBlock: &b, sharedBlock: &sharedBlock)
            taskBlocks.append(a.symmetrized())
            couplingBlocks.append(b)
        }
        return HessianBlocks(
            taskBlocks: taskBlocks, couplingBlocks: couplingBlocks, sharedBlock: sharedBlock.symmetrized())
    }

    /// Σᵢ sᵢ·(ãᵢ·ãᵢᵀ) ⊗ ∇²ℓᵢ over task k's training examples, in the layer's local order: index
    /// r·C + c for W[r, c], d·C + c for bias c.
    private func effectiveLossHessian(task: Int, at w: [Double]) -> Matrix {
        let network = model.networks[task]
        let plan = network.layers[0]
        let parameters = network.parameters(from: w)
        let classes = plan.outputs
        let width = plan.inputs + (plan.hasBias ? 1 : 0)
        var h = Matrix(rows: width * classes, columns: width * classes)
        forEachBatch(task: task, split: trainingSplit, scales: trainingScales(task: task)) { batch in
            let outputs = network.forward(batch.features, parameters: parameters, keepingSlopes: false).outputs
            let augmented = plan.hasBias ? Self.appendingOnes(to: batch.features) : batch.features
            for column in 0..<classes {
                var unit = Matrix(rows: batch.features.rows, columns: classes)
                for example in 0..<unit.rows { unit[example, column] = 1 }
                // Row i: sᵢ·∇²ℓᵢ·e_c, so entry (i, c′) is sᵢ·∂²ℓᵢ/∂f_c′∂f_c.
                let curvature = network.loss.curvatureProducts(outputs: outputs, directions: unit, scales: batch.scales)
                for row in column..<classes {
                    let gram = Self.weightedGram(augmented, weights: curvature.column(row))
                    Self.place(gram, into: &h, rowClass: row, columnClass: column, classes: classes)
                }
            }
        }
        return h
    }

    /// For each slice of w feeding the task's layer, the global index of every local parameter.
    private func globalIndices(task: Int) -> [[Int]] {
        let plan = model.networks[task].layers[0]
        return plan.weightOffsets.indices.map { source in
            var indices = Array(plan.weightOffsets[source]..<(plan.weightOffsets[source] + plan.inputs * plan.outputs))
            if plan.hasBias {
                indices += Array(plan.biasOffsets[source]..<(plan.biasOffsets[source] + plan.outputs))
            }
            return indices
        }
    }

    /// Aᵀ·diag(u)·A.
    private static func weightedGram(_ a: Matrix, weights: [Double]) -> Matrix {
        var scaled = a
        for row in 0..<a.rows {
            for column in 0..<a.columns { scaled.elements[row * a.columns + column] *= weights[row] }
        }
        return matrixProduct(a, scaled, transposingA: true)
    }

    /// h[(r, c′), (r′, c)] += gram[r, r′], and the mirrored entry when c′ ≠ c.
    private static func place(_ gram: Matrix, into h: inout Matrix, rowClass: Int, columnClass: Int, classes: Int) {
        for r in 0..<gram.rows {
            for other in 0..<gram.columns {
                h[r * classes + rowClass, other * classes + columnClass] += gram[r, other]
                if rowClass != columnClass {
                    h[other * classes + columnClass, r * classes + rowClass] += gram[r, other]
                }
            }
        }
    }

    private static func appendingOnes(to features: Matrix) -> Matrix {
        var elements = [Double]()
        elements.reserveCapacity(features.rows * (features.columns + 1))
        for row in 0..<features.rows {
            elements += features.elements[(row * features.columns)..<((row + 1) * features.columns)]
            elements.append(1)
        }
        return Matrix(rows: features.rows, columns: features.columns + 1, elements: elements)
    }
}
