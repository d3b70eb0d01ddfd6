// Per-example quantities on any split: losses, outputs, gradients and their dot products with
// query vectors, and the mean loss V_k of method.md §2 with its gradient.
//
// `examples` always means positions in the task's example list of that split (0..<count), not
// rows of the split's feature matrix; nil means every example of the task.

extension MultitaskObjective {
    /// ℓ_k at each example, unweighted.
    ///
    /// - Precondition: positions in range; `w.count == parameterCount`.
    public func exampleLosses(task: Int, examples: [Int]? = nil, split: Split = .train, at w: [Double]) -> [Double] {
        checkParameterCount(w)
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        var losses: [Double] = []
        forEachBatch(task: task, split: split, examples: examples) { batch in
            let outputs = network.forward(batch.features, parameters: parameters, keepingSlopes: false).outputs
            losses += network.loss.values(outputs: outputs, targets: batch.targets[...])
        }
        return losses
    }

    /// The network outputs f (`n × C`, before the logistic or softmax link), one row per example.
    public func outputs(task: Int, examples: [Int]? = nil, split: Split = .train, at w: [Double]) -> Matrix {
        checkParameterCount(w)
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        var elements: [Double] = []
        forEachBatch(task: task, split: split, examples: examples) { batch in
            elements += network.forward(batch.features, parameters: parameters, keepingSlopes: false).outputs.elements
        }
        let width = network.loss.outputCount
        return Matrix(rows: elements.count / width, columns: width, elements: elements)
    }

    /// The mean of ℓ_k over `task`'s examples in `split`, unweighted and without penalty:
    /// V_k(w) for the validation split (method.md §2).
    ///
    /// - Throws: `ModelError.Code.emptyTask` when the task has no examples in `split`.
    public func meanLoss(task: Int, split: Split = .validation, at w: [Double]) throws -> Double {
        let losses = exampleLosses(task: task, split: split, at: w)
        try requireExamples(losses.count, task: task, split: split)
        return losses.reduce(0, +) / Double(losses.count)
    }

    /// ∇ of `meanLoss`: ∇V_k(w) for the validation split, the right-hand side of q_k = H⁻¹∇V_k
    /// (method.md §3). A P-vector, zero outside θ_k and γ.
    ///
    /// - Throws: `ModelError.Code.emptyTask` when the task has no examples in `split`.
    public func meanLossGradient(task: Int, split: Split = .validation, at w: [Double]) throws -> [Double] {
        checkParameterCount(w)
        let count = dataset[split].tasks[task].count
        try requireExamples(count, task: task, split: split)
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        var layerGradients = network.zeroParameters()
        let scales = [Double](repeating: 1 / Double(count), count: count)
        forEachBatch(task: task, split: split, scales: scales) { batch in
            _ = network.accumulateLossGradient(
                features: batch.features, targets: batch.targets[...], scales: batch.scales, parameters: parameters,
                into: &layerGradients)
        }
        var g = [Double](repeating: 0, count: parameterCount)
        network.scatterAdd(layerGradients, into: &g)
        return g
    }

    /// The explicit per-example gradients ∇_w ℓ_k(w; zᵢ), one row per example (`n × P`, row-major),
    /// unweighted: no c_ki, no 1/n_k, no penalty (the g_li of method.md §3).
    ///
    /// Computed for whole batches: one forward and one backward pass, then each layer's block of a
    /// row is the outer product of the layer's input and delta rows. Columns outside θ_k and γ are
    /// zero.
    ///
    /// - Complexity: O(n·P) memory. To score, prefer `perExampleGradientDots`, which never forms it.
    public func perExampleGradients(
        task: Int, examples: [Int]? = nil, split: Split = .train, at w: [Double]
    ) -> Matrix {
        checkParameterCount(w)
        let network = model.networks[task]
        let parameters = network.parameters(from: w)
        let count = examples?.count ?? dataset[split].tasks[task].count
        var result = Matrix(rows: count, columns: parameterCount)
        forEachBatch(task: task, split: split, examples: examples) { batch in
            let (pass, deltas) = network.perExampleDeltas(
                features: batch.features, targets: batch.targets[...], parameters: parameters)
            network.writePerExampleGradients(
                deltas: deltas, pass: pass, into: &result, firstRow: batch.positions.lowerBound)
        }
        return result
    }

    /// gᵢᵀ·queries for every example i: the scoring kernel of method.md §3.
    ///
    /// Row i, column q holds ∇_w ℓ_k(w; zᵢ) · queries[:, q], equal to
    /// `matrixProduct(perExampleGradients(…), queries)` without forming the `n × P` gradients: for
    /// each layer, one DGEMM of the batch's layer inputs with the query slices, contracted with the
    /// batch's deltas (see `TaskNetwork.accumulateGradientDots`). Queries are typically the
    /// inverse-Hessian products q_k; the MTIF scores are then −(1/n_l) times these dots.
    ///
    /// - Parameters:
    ///   - queries: `P × nQ`, row-major, one query vector per column.
    /// - Returns: `n × nQ`, rows in the order of `examples`, columns in the order of the queries.
    /// - Complexity: about 2·n·nQ·(weights read by task k) flops for the products, plus one
    ///   forward and backward pass; memory O(batchSize·nQ·widest layer) per batch of 64 examples.
    public func perExampleGradientDots(
        task: Int, examples: [Int]? = nil, split: Split = .train, at w: [Double], against queries: Matrix
    ) -> Matrix {
        perExampleGradientDots(tasks: [task], examples: examples, split: split, at: w, against: queries)[0]
    }

    /// `perExampleGradientDots(task:…)` for several tasks at once, one `n_k × nQ` matrix per task in
    /// the order of `tasks` (all tasks when nil).
    ///
    /// Tasks whose example lists in `split` hold the same rows (the shared-inputs layout) share the
    /// forward pass through a hard-sharing trunk and the trunk's query projections a_j·Q_j, which
    /// dominate the cost: scoring K such tasks costs little more than scoring one.
    ///
    /// - Parameters:
    ///   - examples: positions applied to every task's example list; nil for all.
    /// - Complexity: for a 1-layer trunk of width h on d features, about 2·n·d·h·nQ flops for the
    ///   whole group plus, per task, a head pass and 2·n·h·(C + 1)·nQ for its dots.
    public func perExampleGradientDots(
        tasks: [Int]? = nil, examples: [Int]? = nil, split: Split = .train, at w: [Double], against queries: Matrix
    ) -> [Matrix] {
        checkParameterCount(w)
        precondition(queries.rows == parameterCount, "Queries have \(queries.rows) rows, the model \(parameterCount)")
        let tasks = tasks ?? Array(0..<taskCount)
        var scored: [Int: Matrix] = [:]
        for group in inputGroups(tasks: Array(Set(tasks)).sorted(), split: split) {
            let scores = groupGradientDots(group, examples: examples, split: split, at: w, queries: queries)
            for (task, matrix) in zip(group, scores) { scored[task] = matrix }
        }
        return tasks.map { scored[$0]! }
    }

    private func requireExamples(_ count: Int, task: Int, split: Split) throws {
        guard count == 0 else { return }
        throw ModelError(
            .emptyTask,
            "Task \(task) (\(dataset.tasks[task].name)) has no \(split.rawValue) examples to average a loss over.")
    }
}
