// Curvature-vector products of a task's loss by the R-operator (Pearlmutter 1994): the exact
// Hessian-vector product and the Gauss–Newton-vector product, both for a batch, both without
// finite differences.

extension TaskNetwork {
    /// Directional derivatives of every pre-activation and hidden layer input along `direction`.
    ///
    /// R{z_j} = R{a_j}·W_j + a_j·V_j + 1·v_bᵀ and R{a_{j+1}} = σ′(z_j) ⊙ R{z_j}, with R{a_0} = 0
    /// because the features do not depend on w. `inputs[j]` is R{a_j} (index 0 unused, zero-sized).
    func directionalDerivatives(
        pass: ForwardPass, parameters: [LayerParameters], direction: [LayerParameters]
    ) -> (preActivations: [Matrix], inputs: [Matrix]) {
        var preActivations: [Matrix] = []
        var inputs = [Matrix(rows: 0, columns: 0)]
        for index in layers.indices {
            var rz = Self.affine(pass.layerInputs[index], direction[index])
            if index > 0 { accumulateMatrixProduct(inputs[index], parameters[index].weights, into: &rz) }
            preActivations.append(rz)
            if layers[index].activation != nil { inputs.append(hadamardProduct(pass.slopes[index], rz)) }
        }
        return (preActivations, inputs)
    }

    /// result ← result + H·v for the batch term Σᵢ sᵢℓᵢ, with H its exact Hessian in the effective
    /// layer parameters and v = `direction`.
    ///
    /// The R-operator applied to backpropagation: R{δ_out} = s ⊙ ∇²ℓ·R{f}; then for each layer
    /// from the last, R{∂W_j} = a_jᵀ·R{δ_j} + R{a_j}ᵀ·δ_j, R{∂b_j} = 1ᵀR{δ_j}, and
    /// R{δ_{j−1}} = (R{δ_j}·W_jᵀ + δ_j·V_jᵀ) ⊙ σ′(z_{j−1}) + (δ_j·W_jᵀ) ⊙ σ″(z_{j−1}) ⊙ R{z_{j−1}}.
    /// For ReLU σ″ = 0 (see `Activation`).
    ///
    /// - Complexity: about four times the cost of a gradient of the same batch.
    func accumulateHessianProduct(
        features: Matrix, targets: ArraySlice<Double>, scales: [Double], parameters: [LayerParameters],
        direction: [LayerParameters], into result: inout [LayerParameters]
    ) {
        let pass = forward(features, parameters: parameters, keepingSlopes: true)
        let r = directionalDerivatives(pass: pass, parameters: parameters, direction: direction)
        var delta = loss.gradients(outputs: pass.outputs, targets: targets, scales: scales)
        var rDelta = loss.curvatureProducts(
            outputs: pass.outputs, directions: r.preActivations[layers.count - 1], scales: scales)

        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            accumulateMatrixProduct(pass.layerInputs[index], rDelta, into: &result[index].weights, transposingA: true)
            if index > 0 {
                accumulateMatrixProduct(r.inputs[index], delta, into: &result[index].weights, transposingA: true)
            }
            if layers[index].hasBias { accumulateColumnSums(of: rDelta, into: &result[index].bias) }
            guard index > 0 else { break }

            let weights = parameters[index].weights
            let back = matrixProduct(delta, weights, transposingB: true)
            var rBack = matrixProduct(rDelta, weights, transposingB: true)
            accumulateMatrixProduct(delta, direction[index].weights, into: &rBack, transposingB: true)
            let activation = layers[index - 1].activation!
            let curvature = activation.curvatures(
                preActivations: pass.preActivations[index - 1], values: pass.layerInputs[index])
            rDelta = fusedProductSum(rBack, pass.slopes[index - 1], plus: back, curvature, r.preActivations[index - 1])
            delta = hadamardProduct(back, pass.slopes[index - 1])
        }
    }

    /// result ← result + G·v for the batch term Σᵢ sᵢℓᵢ, with G = Σᵢ sᵢ·Jᵢᵀ·∇²ℓᵢ·Jᵢ the Gauss–Newton
    /// matrix (Jᵢ = ∂fᵢ/∂(effective parameters)).
    ///
    /// Forward R-pass for Jᵢv, the loss curvature, then ordinary backpropagation of s ⊙ ∇²ℓ·Jv as
    /// output deltas gives Jᵀ(·). G is positive semi-definite whenever every sᵢ ≥ 0, because every
    /// loss curvature is (see `TaskLoss`); it equals H for single-layer networks.
    ///
    /// - Complexity: about three times the cost of a gradient of the same batch.
    func accumulateGaussNewtonProduct(
        features: Matrix, targets: ArraySlice<Double>, scales: [Double], parameters: [LayerParameters],
        direction: [LayerParameters], into result: inout [LayerParameters]
    ) {
        let pass = forward(features, parameters: parameters, keepingSlopes: true)
        let r = directionalDerivatives(pass: pass, parameters: parameters, direction: direction)
        let outputDeltas = loss.curvatureProducts(
            outputs: pass.outputs, directions: r.preActivations[layers.count - 1], scales: scales)
        let deltas = backpropagate(outputDeltas, through: pass, parameters: parameters)
        accumulateGradients(deltas: deltas, pass: pass, into: &result)
    }
}
