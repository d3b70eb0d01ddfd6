// The curvature kernel on raw rows, shared by the single-process objective and the workers of
// a distributed curvature product.

extension MultitaskModel {
    /// The weighted data curvature of `tasks` on raw rows applied to one direction:
    /// Σ_{k ∈ tasks} Σᵢ s_ki (∇²ℓ_k(w; x_i, y_ik))·v, or the same with each example's Gauss–Newton
    /// matrix Jᵢᵀ∇²ℓᵢJᵢ in place of its Hessian (method.md §8). No penalty term.
    ///
    /// The tasks share the inputs `features`, so a hard-sharing trunk runs its forward and
    /// R-forward passes once per batch for all of them; each head leaves its boundary quantities
    /// at the top of the trunk, where they are summed (the backward passes are linear in them)
    /// and sent down the trunk once. Rows are processed in batches of
    /// `MultitaskObjective.batchSize` from the first row.
    ///
    /// - Parameters:
    ///   - features: `n × d`, row-major, the inputs.
    ///   - targets: for each task of `tasks`, the n targets of the rows.
    ///   - scales: for each task of `tasks`, the n weights s_ki (c_ki/n_k for the objective).
    ///   - w: the parameters (P).
    ///   - v: the direction (P).
    ///   - result: P entries the product is added to.
    /// - Complexity: about four gradient evaluations of the rows for the tasks given.
    public func accumulateCurvatureProduct(
        _ curvature: Curvature, tasks: [Int], features: Matrix, targets: [[Double]], scales: [[Double]],
        at w: [Double], direction v: [Double], into result: inout [Double]
    ) {
        precondition(
            targets.count == tasks.count && scales.count == tasks.count
                && zip(targets, scales).allSatisfy { $0.count == features.rows && $1.count == features.rows },
            "One target and one scale per row and task")
        accumulateCurvatureProduct(curvature, tasks: tasks, rowCount: features.rows, at: w, direction: v, into: &result)
        {
            range in (features.rows(in: range), targets.map { $0[range] }, scales.map { Array($0[range]) })
        }
    }

    /// `accumulateCurvatureProduct` over rows that `batch` supplies, range by range, so that a
    /// caller holding a dataset gathers one batch of rows at a time.
    ///
    /// - Parameters:
    ///   - rowCount: n, the number of rows.
    ///   - batch: for a range of row positions, the inputs of those rows and, per task, their
    ///     targets and weights.
    func accumulateCurvatureProduct(
        _ curvature: Curvature, tasks: [Int], rowCount: Int, at w: [Double], direction v: [Double],
        into result: inout [Double], batch: (Range<Int>) -> (Matrix, [ArraySlice<Double>], [[Double]])
    ) {
        precondition(w.count == parameterCount && v.count == parameterCount && result.count == parameterCount)
        let networks = tasks.map { self.networks[$0] }
        let point = CurvaturePoint(
            parameters: networks.map { $0.parameters(from: w) }, directions: networks.map { $0.parameters(from: v) })
        var products = CurvatureAccumulators(networks: networks)
        for start in stride(from: 0, to: rowCount, by: MultitaskObjective.batchSize) {
            let (features, targets, scales) = batch(start..<min(start + MultitaskObjective.batchSize, rowCount))
            accumulateBatchCurvature(
                curvature, networks: networks, features: features, targets: targets, scales: scales, point: point,
                into: &products)
        }
        for (member, network) in networks.enumerated() {
            network.scatterAdd(products.heads[member], into: &result, layers: trunkLayerCount..<network.layers.count)
        }
        networks[0].scatterAdd(products.trunk, into: &result, layers: 0..<trunkLayerCount)
    }

    /// One batch of `accumulateCurvatureProduct`, into per-network accumulators.
    private func accumulateBatchCurvature(
        _ curvature: Curvature, networks: [TaskNetwork], features: Matrix, targets: [ArraySlice<Double>],
        scales: [[Double]], point: CurvaturePoint, into products: inout CurvatureAccumulators
    ) {
        let trunk = trunkLayerCount
        let parameters = point.parameters
        let directions = point.directions
        let trunkPass = networks[0].forward(
            continuing: ForwardPass(features: features), layers: 0..<trunk, parameters: parameters[0],
            keepingSlopes: true)
        let trunkR = networks[0].directionalDerivatives(
            layers: 0..<trunk, pass: trunkPass, parameters: parameters[0], direction: directions[0])
        var boundary: CurvatureBoundary?
        for (member, network) in networks.enumerated() {
            let top = network.layers.count - 1
            let pass = network.forward(
                continuing: trunkPass, layers: trunk..<(top + 1), parameters: parameters[member], keepingSlopes: true)
            let r = network.directionalDerivatives(
                continuing: trunkR, layers: trunk..<(top + 1), pass: pass, parameters: parameters[member],
                direction: directions[member])
            let curvatureDeltas = network.loss.curvatureProducts(
                outputs: pass.outputs, directions: r.preActivations[top], scales: scales[member])

            let memberBoundary: CurvatureBoundary?
            switch curvature {
            case .hessian:
                memberBoundary = network.accumulateHessianBackward(
                    delta: network.loss.gradients(
                        outputs: pass.outputs, targets: targets[member], scales: scales[member]),
                    rDelta: curvatureDeltas, fromLayer: top, downTo: trunk, pass: pass, r: r,
                    parameters: parameters[member], direction: directions[member], into: &products.heads[member])
            case .gaussNewton:
                memberBoundary = network.accumulateGaussNewtonBackward(
                    curvatureDeltas, fromLayer: top, downTo: trunk, pass: pass, parameters: parameters[member],
                    into: &products.heads[member])
            }
            if let memberBoundary {
                if boundary == nil { boundary = memberBoundary } else { boundary!.add(memberBoundary) }
            }
        }
        guard let boundary else { return }
        switch curvature {
        case .hessian:
            let (delta, rDelta) = networks[0].enterLayer(trunk - 1, from: boundary, pass: trunkPass, r: trunkR)
            _ = networks[0].accumulateHessianBackward(
                delta: delta, rDelta: rDelta, fromLayer: trunk - 1, downTo: 0, pass: trunkPass, r: trunkR,
                parameters: parameters[0], direction: directions[0], into: &products.trunk)
        case .gaussNewton:
            _ = networks[0].accumulateGaussNewtonBackward(
                hadamardProduct(boundary.back, trunkPass.slopes[trunk - 1]), fromLayer: trunk - 1, downTo: 0,
                pass: trunkPass, parameters: parameters[0], into: &products.trunk)
        }
    }
}

/// w and v in each network's parameter shapes.
private struct CurvaturePoint {
    var parameters: [[LayerParameters]]
    var directions: [[LayerParameters]]
}

/// Curvature products in each network's parameter shapes, before they are scattered into P.
private struct CurvatureAccumulators {
    var heads: [[LayerParameters]]
    var trunk: [LayerParameters]

    init(networks: [TaskNetwork]) {
        heads = networks.map { $0.zeroParameters() }
        trunk = networks[0].zeroParameters()
    }
}
