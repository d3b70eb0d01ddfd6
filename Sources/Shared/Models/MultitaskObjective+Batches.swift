/// Consecutive examples of one task, gathered for one pass through its network.
struct ExampleBatch {
    /// `n × d`, one row per example.
    let features: Matrix
    let targets: [Double]
    /// sᵢ: c_ki/n_k for terms of the objective, 1 for plain per-example quantities.
    let scales: [Double]
    /// Where the batch sits in the list of examples being iterated.
    let positions: Range<Int>
}

extension MultitaskObjective {
    /// Calls `body` on consecutive batches of `task`'s examples in `split`.
    ///
    /// - Parameters:
    ///   - examples: positions in the task's example list; all of them when nil.
    ///   - scales: one scale per example of the task (indexed like the task's example list); 1
    ///     for every example when nil.
    /// - Precondition: every position is in range.
    func forEachBatch(
        task: Int, split: Split, examples: [Int]? = nil, scales: [Double]? = nil, _ body: (ExampleBatch) -> Void
    ) {
        let data = dataset[split]
        let taskExamples = data.tasks[task]
        let positions = examples ?? Array(0..<taskExamples.count)
        for start in stride(from: 0, to: positions.count, by: Self.batchSize) {
            let range = start..<min(start + Self.batchSize, positions.count)
            let chosen = positions[range]
            let batch = ExampleBatch(
                features: data.features.rows(at: chosen.map { taskExamples.rows[$0] }),
                targets: chosen.map { taskExamples.targets[$0] },
                scales: scales.map { all in chosen.map { all[$0] } } ?? [Double](repeating: 1, count: chosen.count),
                positions: range)
            body(batch)
        }
    }

    /// sᵢ = c_ki/n_k for every training example of `task`.
    func trainingScales(task: Int) -> [Double] {
        let count = Double(trainCount(task: task))
        return exampleWeights[task].map { $0 / count }
    }

    /// Whether `v` has a non-zero entry in θ_k or γ, the only entries task k's term reads.
    func touchesTask(_ task: Int, _ v: [Double]) -> Bool {
        !isZero(v, in: model.layout.taskBlocks[task].range) || !isZero(v, in: model.layout.sharedBlock.range)
    }

    func checkParameterCount(_ w: [Double], _ name: String = "Parameter vector") {
        precondition(w.count == parameterCount, "\(name) has \(w.count) entries, the model has \(parameterCount)")
    }
}
