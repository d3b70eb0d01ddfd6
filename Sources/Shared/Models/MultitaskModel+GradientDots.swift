extension MultitaskModel {
    /// The scoring kernel on raw rows: g_iᵀq_j for every row i, query column j and task of `tasks`,
    /// where g_i = ∇_w ℓ_k(w; (x_i, y_ik)) is unweighted (method.md §3).
    ///
    /// The tasks share the inputs `features`, so a hard-sharing trunk runs once per batch for all
    /// of them, and so do its query projections a·Q. Rows are processed in batches of
    /// `MultitaskObjective.batchSize` from the first row: the arithmetic for a row depends only
    /// on its position within `features`, which is what makes a worker that receives a shard's
    /// rows compute exactly what the single-process engine computes for the same shard.
    ///
    /// - Parameters:
    ///   - features: `n × d`, row-major, the inputs.
    ///   - targets: for each task of `tasks`, the n targets of the rows.
    ///   - queries: `P × nQ`, one query vector per column.
    /// - Returns: for each task, `n × nQ`.
    /// - Complexity: one forward and backward pass per task head, one trunk pass, and about
    ///   2·n·nQ·(weights read) flops for the contractions.
    public func gradientDots(
        tasks: [Int], features: Matrix, targets: [[Double]], at w: [Double], against queries: Matrix
    ) -> [Matrix] {
        precondition(
            targets.count == tasks.count && targets.allSatisfy { $0.count == features.rows },
            "One target per row and task")
        precondition(queries.rows == parameterCount, "Queries have \(queries.rows) rows, the model \(parameterCount)")
        let trunk = trunkLayerCount
        let networks = tasks.map { self.networks[$0] }
        let parameters = networks.map { $0.parameters(from: w) }
        let slices = networks.map { $0.querySlices(queries) }
        var scores = tasks.map { _ in Matrix(rows: features.rows, columns: queries.columns) }

        for start in stride(from: 0, to: features.rows, by: MultitaskObjective.batchSize) {
            let range = start..<min(start + MultitaskObjective.batchSize, features.rows)
            let trunkPass = networks[0].forward(
                continuing: ForwardPass(features: features.rows(in: range)), layers: 0..<trunk,
                parameters: parameters[0],
                keepingSlopes: true)
            let projections = (0..<trunk).map { TaskNetwork.queryProjection(trunkPass.layerInputs[$0], slices[0][$0]) }
            for (member, network) in networks.enumerated() {
                let pass = network.forward(
                    continuing: trunkPass, layers: trunk..<network.layers.count, parameters: parameters[member],
                    keepingSlopes: true)
                let ones = [Double](repeating: 1, count: range.count)
                let outputDeltas = network.loss.gradients(
                    outputs: pass.outputs, targets: targets[member][range], scales: ones)
                let deltas = network.backpropagate(outputDeltas, through: pass, parameters: parameters[member])

                var batchScores = Matrix(rows: range.count, columns: queries.columns)
                for layer in 0..<trunk {
                    TaskNetwork.accumulateLayerDots(
                        projected: projections[layer], delta: deltas[layer], slices: slices[0][layer],
                        into: &batchScores)
                }
                network.accumulateGradientDots(
                    deltas: deltas, pass: pass, slices: slices[member], into: &batchScores,
                    layers: trunk..<network.layers.count)
                let offset = range.lowerBound * queries.columns
                scores[member].elements.replaceSubrange(
                    offset..<(offset + batchScores.elements.count), with: batchScores.elements)
            }
        }
        return scores
    }
}
