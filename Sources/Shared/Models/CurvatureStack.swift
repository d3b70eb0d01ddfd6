// The unit of dense curvature assembly: tasks that read the same inputs through the same leading
// layers, run as one network whose output layer holds every member's last layer side by side.

/// Tasks whose networks share every layer but the last and whose training examples are the same
/// rows, seen as one network for curvature assembly (method.md §4).
///
/// Layers 0..<T form the chain, read by every member from the same slices of w: the trunk of hard
/// sharing, nothing for single-layer networks. Layer T, the output layer, is the members' last
/// layers side by side, W_T = [W_1 | … | W_m] (`inputs_T × ΣC`, bias likewise), member t owning
/// output columns c_t..<c_t + C_t. Member t's loss reads only its columns, so the stack's loss is
/// Σ_t Σᵢ s_ti·ℓ_t(fᵢ[c_t..<c_t + C_t]) and its curvature in the stack's effective parameters is
/// block-diagonal between members' output columns and sums their trunk curvatures, which is what
/// the group passes of `MultitaskObjective+SharedInputs.swift` compute one direction at a time.
///
/// Hard sharing over shared inputs gives one stack for all tasks; the disjoint layout and soft
/// sharing with hidden layers give one stack per task.
struct CurvatureStack: Sendable {
    let tasks: [Int]
    let chain: [DenseLayerPlan]
    /// Each member's last layer, in the order of `tasks`.
    let outputPlans: [DenseLayerPlan]
    let losses: [TaskLoss]
    /// c_t for every member, then ΣC.
    let columnStarts: [Int]

    /// - Precondition: the networks have the same chain and output layers of the same input
    ///   width, all with a bias or all without.
    init(tasks: [Int], networks: [TaskNetwork]) {
        let chain = Array(networks[0].layers.dropLast())
        let outputPlans = networks.map { $0.layers[$0.layers.count - 1] }
        precondition(networks.allSatisfy { Array($0.layers.dropLast()) == chain }, "Members must share the chain")
        precondition(
            outputPlans.allSatisfy { $0.inputs == outputPlans[0].inputs && $0.hasBias == outputPlans[0].hasBias },
            "Members' output layers must read the same input width, all with a bias or all without")
        self.tasks = tasks
        self.chain = chain
        self.outputPlans = outputPlans
        self.losses = networks.map(\.loss)
        self.columnStarts = outputPlans.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.outputs) }
    }

    /// T, the index of the output layer.
    var outputLayer: Int { chain.count }

    var layerCount: Int { chain.count + 1 }

    func inputs(ofLayer layer: Int) -> Int {
        layer < chain.count ? chain[layer].inputs : outputPlans[0].inputs
    }

    func outputs(ofLayer layer: Int) -> Int {
        layer < chain.count ? chain[layer].outputs : columnStarts[columnStarts.count - 1]
    }

    func hasBias(layer: Int) -> Bool {
        layer < chain.count ? chain[layer].hasBias : outputPlans[0].hasBias
    }

    /// The widest directional derivative a pass forms: R{z_j} and R{δ_j} for every layer, R{a_j}
    /// above the features (which do not depend on w, so the input width never counts).
    var widestDirectionalLayer: Int {
        (0..<layerCount).map { max(outputs(ofLayer: $0), $0 > 0 ? inputs(ofLayer: $0) : 0) }.max()!
    }

    /// P_stack, the effective parameters of every layer.
    var parameterCount: Int {
        (0..<layerCount).reduce(0) { $0 + parameterCount(ofLayer: $1) }
    }

    /// The effective parameters of a layer: weights row-major, then the bias.
    func parameterCount(ofLayer layer: Int) -> Int {
        inputs(ofLayer: layer) * outputs(ofLayer: layer) + (hasBias(layer: layer) ? outputs(ofLayer: layer) : 0)
    }

    /// The member owning output column `column`.
    func member(ofColumn column: Int) -> Int {
        columnStarts.lastIndex { $0 <= column }!
    }

    /// The columns of member `member` in the output layer.
    func outputColumns(ofMember member: Int) -> Range<Int> {
        columnStarts[member]..<columnStarts[member + 1]
    }

    /// The effective weights of every layer of the stack, the output layer assembled from the
    /// members' last layers.
    func parameters(from w: [Double], networks: [TaskNetwork]) -> [LayerParameters] {
        let chainParameters = Array(networks[tasks[0]].parameters(from: w).dropLast())
        let outputWidth = outputs(ofLayer: outputLayer)
        var weights = Matrix(rows: inputs(ofLayer: outputLayer), columns: outputWidth)
        var bias: [Double] = []
        for (member, task) in tasks.enumerated() {
            let last = networks[task].parameters(from: w)[outputLayer]
            weights.setBlock(last.weights, row: 0, column: columnStarts[member])
            bias += last.bias
        }
        return chainParameters + [LayerParameters(weights: weights, bias: bias)]
    }
}

/// What the curvature passes over one batch of examples read, computed once per batch.
///
/// Shapes are per example (`n × width`). `deltas` and `curvatureWeights` are needed by the exact
/// Hessian only and stay empty for Gauss–Newton.
struct StackBatch {
    /// a_0 … a_T: the features, then the hidden activations.
    var layerInputs: [Matrix]
    /// σ′(z_j) for the chain layers.
    var slopes: [Matrix]
    /// f = z_T, `n × ΣC`.
    var outputs: Matrix
    /// sᵢ per member, in the order of the stack's tasks.
    var scales: [[Double]]
    /// δ_j = ∂(Σ_t Σᵢ s_ti·ℓ_ti)/∂z_j for every layer.
    var deltas: [Matrix] = []
    /// (δ_{j+1}·W_{j+1}ᵀ) ⊙ σ″(z_j) for the chain layers: what multiplies R{z_j} in R{δ_j}.
    var curvatureWeights: [Matrix] = []

    var exampleCount: Int { outputs.rows }
}

extension CurvatureStack {
    /// Runs one batch forward through the stack and, for the Hessian, backward with the loss
    /// gradients, keeping everything the direction passes read.
    ///
    /// - Parameters:
    ///   - targets: per member, one target per row of `features`.
    ///   - scales: per member, sᵢ = c_ki/n_k per row of `features`.
    /// - Complexity: one forward and one backward pass over the batch.
    func prepareBatch(
        _ curvature: Curvature, features: Matrix, targets: [[Double]], scales: [[Double]],
        parameters: [LayerParameters]
    ) -> StackBatch {
        var inputs = [features]
        var slopes: [Matrix] = []
        var curvatures: [Matrix] = []
        for (index, plan) in chain.enumerated() {
            let z = TaskNetwork.affine(inputs[index], parameters[index])
            let a = plan.activation!.values(of: z)
            slopes.append(plan.activation!.slopes(preActivations: z, values: a))
            if curvature == .hessian { curvatures.append(plan.activation!.curvatures(preActivations: z, values: a)) }
            inputs.append(a)
        }
        let outputs = TaskNetwork.affine(inputs[outputLayer], parameters[outputLayer])
        var batch = StackBatch(layerInputs: inputs, slopes: slopes, outputs: outputs, scales: scales)
        guard curvature == .hessian else { return batch }

        var delta = Matrix(rows: outputs.rows, columns: outputs.columns)
        for member in tasks.indices {
            let window = outputColumns(ofMember: member)
            let gradients = losses[member].gradients(
                outputs: outputs.block(rows: 0..<outputs.rows, columns: window), targets: targets[member][...],
                scales: scales[member])
            delta.setBlock(gradients, row: 0, column: window.lowerBound)
        }
        var deltas = [delta]
        var curvatureWeights: [Matrix] = []
        for layer in stride(from: outputLayer, to: 0, by: -1) {
            let back = matrixProduct(deltas[0], parameters[layer].weights, transposingB: true)
            curvatureWeights.insert(hadamardProduct(back, curvatures[layer - 1]), at: 0)
            deltas.insert(hadamardProduct(back, slopes[layer - 1]), at: 0)
        }
        batch.deltas = deltas
        batch.curvatureWeights = curvatureWeights
        return batch
    }
}

extension MultitaskObjective {
    /// The stacks of the training split: tasks grouped by identical example rows, then by
    /// identical chains, in order of first appearance.
    func curvatureStacks() -> [CurvatureStack] {
        var stacks: [CurvatureStack] = []
        for group in inputGroups(tasks: Array(0..<taskCount), split: trainingSplit) {
            var partitions: [[Int]] = []
            for task in group {
                let chain = model.networks[task].layers.dropLast()
                if let index = partitions.firstIndex(where: { model.networks[$0[0]].layers.dropLast() == chain }) {
                    partitions[index].append(task)
                } else {
                    partitions.append([task])
                }
            }
            stacks += partitions.map { CurvatureStack(tasks: $0, networks: $0.map { model.networks[$0] }) }
        }
        return stacks
    }
}
