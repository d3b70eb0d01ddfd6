// Tasks that read the same inputs (the shared-inputs layout) share one pass through the trunk of
// hard sharing. Their value and gradient cost one trunk forward pass, a head per task and one
// trunk backward pass (backpropagation is linear in the deltas, so the tasks' trunk deltas are
// summed first); curvature products likewise share the trunk's forward and R-forward passes and
// run its (R-)backward pass once; their query projections a_j·Q_j through the trunk are computed
// once for all.

extension MultitaskObjective {
    /// Partitions `tasks` into groups whose example lists in `split` hold the same rows in the same
    /// order, keeping the order of first appearance.
    func inputGroups(tasks: [Int], split: Split) -> [[Int]] {
        let examples = dataset[split].tasks
        var groups: [[Int]] = []
        for task in tasks {
            if let index = groups.firstIndex(where: { examples[$0[0]].rows == examples[task].rows }) {
                groups[index].append(task)
            } else {
                groups.append([task])
            }
        }
        return groups
    }

    /// Calls `body` with the gathered features and the positions of consecutive batches of a group.
    func forEachBatch(
        group: [Int], split: Split, examples: [Int]?, _ body: (Matrix, ArraySlice<Int>, Range<Int>) -> Void
    ) {
        let data = dataset[split]
        let rows = data.tasks[group[0]].rows
        let positions = examples ?? Array(rows.indices)
        for start in stride(from: 0, to: positions.count, by: Self.batchSize) {
            let range = start..<min(start + Self.batchSize, positions.count)
            body(data.features.rows(at: positions[range].map { rows[$0] }), positions[range], range)
        }
    }

    /// g ← g + Σ_{k ∈ group} ∇T_k(w) when `g` is given; returns Σ_{k ∈ group} T_k(w).
    ///
    /// - Precondition: the tasks of `group` list the same training rows.
    func accumulateGroupTerms(_ group: [Int], at w: [Double], into g: inout [Double]?) -> Double {
        let trunk = model.trunkLayerCount
        let networks = group.map { model.networks[$0] }
        let parameters = networks.map { $0.parameters(from: w) }
        let scales = group.map { trainingScales(task: $0) }
        let isComputingGradient = g != nil
        var headGradients = networks.map { $0.zeroParameters() }
        var trunkGradients = networks[0].zeroParameters()
        var sum = 0.0

        forEachBatch(group: group, split: trainingSplit, examples: nil) { features, positions, _ in
            let trunkPass = networks[0].forward(
                continuing: ForwardPass(features: features), layers: 0..<trunk, parameters: parameters[0],
                keepingSlopes: isComputingGradient)
            var trunkBack: Matrix?
            for (member, network) in networks.enumerated() {
                let top = network.layers.count - 1
                let pass = network.forward(
                    continuing: trunkPass, layers: trunk..<(top + 1), parameters: parameters[member],
                    keepingSlopes: isComputingGradient)
                let targets = positions.map { dataset[trainingSplit].tasks[group[member]].targets[$0] }
                let batchScales = positions.map { scales[member][$0] }
                sum += dot(network.loss.values(outputs: pass.outputs, targets: targets[...]), batchScales)
                guard isComputingGradient else { continue }

                let outputDeltas = network.loss.gradients(
                    outputs: pass.outputs, targets: targets[...], scales: batchScales)
                let deltas = network.backpropagate(
                    outputDeltas, fromLayer: top, downTo: trunk, through: pass, parameters: parameters[member])
                network.accumulateGradients(
                    deltas: deltas, pass: pass, into: &headGradients[member], layers: trunk..<(top + 1))
                if trunk > 0 {
                    var back = trunkBack ?? Matrix(rows: features.rows, columns: network.layers[trunk].inputs)
                    accumulateMatrixProduct(
                        deltas[trunk], parameters[member][trunk].weights, into: &back, transposingB: true)
                    trunkBack = back
                }
            }
            if let trunkBack {
                let trunkTop = hadamardProduct(trunkBack, trunkPass.slopes[trunk - 1])
                let trunkDeltas = networks[0].backpropagate(
                    trunkTop, fromLayer: trunk - 1, downTo: 0, through: trunkPass, parameters: parameters[0])
                networks[0].accumulateGradients(
                    deltas: trunkDeltas, pass: trunkPass, into: &trunkGradients, layers: 0..<trunk)
            }
        }

        if g != nil {
            for (member, network) in networks.enumerated() {
                network.scatterAdd(headGradients[member], into: &g!, layers: trunk..<network.layers.count)
                penalty.accumulateProduct(task: group[member], w, into: &g!)
            }
            networks[0].scatterAdd(trunkGradients, into: &g!, layers: 0..<trunk)
        }
        return group.reduce(sum) { $0 + penalty.value(task: $1, at: w) }
    }

    /// result ← result + Σ_{k ∈ group} (curvature of (1/n_k) Σᵢ c_ki ℓ_ki)·v, the data term only.
    ///
    /// Gathers the group's rows, targets and scales s_ki = c_ki/n_k one batch at a time for
    /// `MultitaskModel.accumulateCurvatureProduct`, the kernel a `curvature-shard` worker runs on
    /// its shard's rows.
    ///
    /// - Precondition: the tasks of `group` list the same training rows.
    func accumulateGroupCurvature(
        _ curvature: Curvature, _ group: [Int], at w: [Double], _ v: [Double], into result: inout [Double]
    ) {
        let data = dataset[trainingSplit]
        let rows = data.tasks[group[0]].rows
        let scales = group.map { trainingScales(task: $0) }
        model.accumulateCurvatureProduct(
            curvature, tasks: group, rowCount: rows.count, at: w, direction: v, into: &result
        ) {
            range in
            (
                data.features.rows(at: Array(rows[range])), group.map { data.tasks[$0].targets[range] },
                scales.map { Array($0[range]) }
            )
        }
    }

    /// Per-example gradient dot products for every task of a group (one `n × nQ` matrix each),
    /// sharing the trunk pass and the trunk's query projections.
    func groupGradientDots(_ group: [Int], examples: [Int]?, split: Split, at w: [Double], queries: Matrix) -> [Matrix]
    {
        let data = dataset[split]
        let rows = data.tasks[group[0]].rows
        let positions = examples ?? Array(rows.indices)
        let features = data.features.rows(at: positions.map { rows[$0] })
        let targets = group.map { task in positions.map { data.tasks[task].targets[$0] } }
        return model.gradientDots(tasks: group, features: features, targets: targets, at: w, against: queries)
    }
}
