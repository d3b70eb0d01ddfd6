// Curvature-vector products of a task's loss by the R-operator (Pearlmutter 1994): the exact
// Hessian-vector product and the Gauss–Newton-vector product, both for a batch, both without
// finite differences. The passes can stop at or start from a layer boundary, so that tasks
// sharing a trunk run the trunk part once (see MultitaskObjective+SharedInputs.swift).

/// Directional derivatives along a direction v of the pre-activations and layer inputs of a pass.
///
/// `preActivations[j]` = R{z_j}; `inputs[j]` = R{a_j}, with `inputs[0]` empty because the features
/// do not depend on w.
struct DirectionalPass {
    var preActivations: [Matrix] = []
    var inputs: [Matrix] = [Matrix(rows: 0, columns: 0)]
}

/// The two backpropagated quantities of the R-operator at the input of a layer, before the
/// element-wise σ′ and σ″ of the layer below are applied: back = δ_j·W_jᵀ and
/// R{back} = R{δ_j}·W_jᵀ + δ_j·V_jᵀ. Both are linear in (δ_j, R{δ_j}), so the contributions of
/// several tasks to a shared trunk can be summed here.
struct CurvatureBoundary {
    var back: Matrix
    var rBack: Matrix

    mutating func add(_ other: CurvatureBoundary) {
        addScaled(other.back.elements, scale: 1, to: &back.elements)
        addScaled(other.rBack.elements, scale: 1, to: &rBack.elements)
    }
}

extension TaskNetwork {
    /// Extends `r` through the layers in `range`: R{z_j} = R{a_j}·W_j + a_j·V_j + 1·v_bᵀ and
    /// R{a_{j+1}} = σ′(z_j) ⊙ R{z_j}.
    ///
    /// - Precondition: `pass` kept its slopes and covers `range`; `r` stops where `range` starts.
    func directionalDerivatives(
        continuing r: DirectionalPass = DirectionalPass(), layers range: Range<Int>? = nil, pass: ForwardPass,
        parameters: [LayerParameters], direction: [LayerParameters]
    ) -> DirectionalPass {
        var r = r
        for index in range ?? layers.indices {
            var rz = Self.affine(pass.layerInputs[index], direction[index])
            if index > 0 { accumulateMatrixProduct(r.inputs[index], parameters[index].weights, into: &rz) }
            r.preActivations.append(rz)
            if layers[index].activation != nil { r.inputs.append(hadamardProduct(pass.slopes[index], rz)) }
        }
        return r
    }

    /// The R-operator applied to backpropagation, from (δ, R{δ}) of layer `top` down to layer
    /// `bottom`, adding each layer's H·v part to `result`:
    ///
    ///     R{∂W_j} = a_jᵀ·R{δ_j} + R{a_j}ᵀ·δ_j,   R{∂b_j} = 1ᵀ·R{δ_j},
    ///     R{δ_{j−1}} = R{back} ⊙ σ′(z_{j−1}) + back ⊙ σ″(z_{j−1}) ⊙ R{z_{j−1}},   δ_{j−1} = back ⊙ σ′(z_{j−1}).
    ///
    /// For ReLU σ″ = 0 (see `Activation`).
    ///
    /// - Returns: the boundary quantities at the input of `bottom`, or nil when `bottom` is 0.
    func accumulateHessianBackward(
        delta: Matrix, rDelta: Matrix, fromLayer top: Int, downTo bottom: Int, pass: ForwardPass,
        r: DirectionalPass, parameters: [LayerParameters], direction: [LayerParameters],
        into result: inout [LayerParameters]
    ) -> CurvatureBoundary? {
        var (delta, rDelta) = (delta, rDelta)
        for index in stride(from: top, through: bottom, by: -1) {
            accumulateMatrixProduct(pass.layerInputs[index], rDelta, into: &result[index].weights, transposingA: true)
            if index > 0 {
                accumulateMatrixProduct(r.inputs[index], delta, into: &result[index].weights, transposingA: true)
            }
            if layers[index].hasBias { accumulateColumnSums(of: rDelta, into: &result[index].bias) }
            guard index > 0 else { return nil }

            var rBack = matrixProduct(rDelta, parameters[index].weights, transposingB: true)
            accumulateMatrixProduct(delta, direction[index].weights, into: &rBack, transposingB: true)
            let boundary = CurvatureBoundary(
                back: matrixProduct(delta, parameters[index].weights, transposingB: true), rBack: rBack)
            if index == bottom { return boundary }
            (delta, rDelta) = enterLayer(index - 1, from: boundary, pass: pass, r: r)
        }
        return nil
    }

    /// (δ_j, R{δ_j}) of layer j from the boundary quantities at its output.
    func enterLayer(
        _ index: Int, from boundary: CurvatureBoundary, pass: ForwardPass, r: DirectionalPass
    ) -> (
        delta: Matrix, rDelta: Matrix
    ) {
        let curvature = layers[index].activation!.curvatures(
            preActivations: pass.preActivations[index], values: pass.layerInputs[index + 1])
        let rDelta = fusedProductSum(
            boundary.rBack, pass.slopes[index], plus: boundary.back, curvature, r.preActivations[index])
        return (hadamardProduct(boundary.back, pass.slopes[index]), rDelta)
    }

    /// Jᵀ applied to the curvature deltas s ⊙ ∇²ℓ·J·v from layer `top` down to `bottom`: ordinary
    /// backpropagation, adding each layer's G·v part to `result`. G = Σᵢ sᵢ·Jᵢᵀ·∇²ℓᵢ·Jᵢ is positive
    /// semi-definite whenever every sᵢ ≥ 0, because every loss curvature is (see `TaskLoss`).
    ///
    /// - Returns: the boundary at the input of `bottom` (only `back` is meaningful: the
    ///   Gauss–Newton pass has no R{δ}), or nil when `bottom` is 0.
    func accumulateGaussNewtonBackward(
        _ curvatureDeltas: Matrix, fromLayer top: Int, downTo bottom: Int, pass: ForwardPass,
        parameters: [LayerParameters], into result: inout [LayerParameters]
    ) -> CurvatureBoundary? {
        let deltas = backpropagate(
            curvatureDeltas, fromLayer: top, downTo: bottom, through: pass, parameters: parameters)
        accumulateGradients(deltas: deltas, pass: pass, into: &result, layers: bottom..<(top + 1))
        guard bottom > 0 else { return nil }
        let back = matrixProduct(deltas[bottom], parameters[bottom].weights, transposingB: true)
        return CurvatureBoundary(back: back, rBack: Matrix(rows: back.rows, columns: back.columns))
    }
}
