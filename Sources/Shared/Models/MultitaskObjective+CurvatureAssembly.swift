// Exact dense curvature of networks from the batched R-operator. For each stack
// (CurvatureStack.swift): the first layer's block from the curvature in its pre-activations
// (CurvatureStack+FirstLayer.swift), then the columns of the higher layers' unit directions, D at a
// time, whose first-layer rows also give the cross blocks by symmetry. Everything is mapped back
// onto w and summed over stacks, and the penalty is added exactly.

/// Block sizes of the batched curvature assembly. They bound memory and set the DGEMM shapes;
/// the result depends on them only through the order of summation (round-off).
struct CurvatureAssemblySizing: Sendable, Equatable {
    /// Examples per batch: the inner dimension of the a_jᵀ·R{δ_j} products.
    var examples = 128
    /// Most elements of one `(n·D) × width` direction-block matrix: 2¹⁸ doubles are 2 MiB. On the
    /// Yeast MLP (P = 1902, n = 200) batches of 64–256 examples and budgets of 2¹⁷–2²⁰ all took
    /// 0.06–0.07 s on one thread; the smaller budget keeps the working set in cache.
    var elementBudget = 1 << 18
    /// Most elements of a block's accumulators, D·P_stack: 2²³ doubles are 64 MiB.
    var accumulatorBudget = 1 << 23
    /// Most directions per block.
    var directions = 256

    /// D for batches of `examples` examples through layers at most `width` wide, in a stack of
    /// `parameters` effective parameters.
    func directionsPerBlock(examples: Int, width: Int, parameters: Int) -> Int {
        let byWork = elementBudget / max(1, examples * width)
        return max(1, min(directions, byWork, accumulatorBudget / max(1, parameters)))
    }
}

extension MultitaskObjective {
    /// The dense `P × P` curvature, exactly symmetric: the same matrix as `productCurvature`,
    /// assembled from direction blocks.
    ///
    /// - Complexity: for a stack of n examples whose first layer has p_0 = (d + 1)·h parameters
    ///   and whose other layers have P_up, about 2·n·p_0·(p_0 + P_up) flops in DGEMMs (the first
    ///   layer's block, then the first-layer rows of the higher directions) plus R-operator passes
    ///   for h + P_up directions through the layers above the first; O(P²) memory for the result
    ///   and O(D·P_stack + n·D·width) for the work.
    func assembledCurvature(
        _ curvature: Curvature, at w: [Double], sizing: CurvatureAssemblySizing = CurvatureAssemblySizing()
    ) -> Matrix {
        var sink = DenseCurvatureSink(parameterCount: parameterCount)
        assembleCurvature(curvature, at: w, sizing: sizing, into: &sink)
        return sink.finished()
    }

    /// The blocks A_k, B_k and C of the curvature (method.md §4), assembled like
    /// `assembledCurvature` without the P × P matrix.
    ///
    /// - Complexity: as `assembledCurvature`, with O(Σ_k d_k² + Σ_k d_k·p + p²) memory.
    func assembledCurvatureBlocks(
        _ curvature: Curvature, at w: [Double], sizing: CurvatureAssemblySizing = CurvatureAssemblySizing()
    ) -> HessianBlocks {
        var sink = BlockCurvatureSink(layout: model.layout)
        assembleCurvature(curvature, at: w, sizing: sizing, into: &sink)
        return sink.finished()
    }

    private func assembleCurvature(
        _ curvature: Curvature, at w: [Double], sizing: CurvatureAssemblySizing, into sink: inout some CurvatureSink
    ) {
        checkParameterCount(w)
        for stack in curvatureStacks() {
            let parameters = stack.parameters(from: w, networks: model.networks)
            let batches = stackBatches(stack, curvature, parameters: parameters, size: sizing.examples)
            let largestBatch = batches.map(\.exampleCount).max() ?? 0
            let perBlock = sizing.directionsPerBlock(
                examples: largestBatch, width: stack.widestDirectionalLayer, parameters: stack.parameterCount)

            for block in stack.firstLayerBlocks(perBlock: perBlock) {
                var columns = stack.zeroColumns(directions: block.count, layer: 0)
                for batch in batches {
                    stack.accumulateFirstLayerColumns(
                        curvature, block: block, batch: batch, parameters: parameters, into: &columns)
                }
                stack.scatter([columns], block: block, into: &sink)
            }
            for layer in 1..<stack.layerCount {
                let count = stack.parameterCount(ofLayer: layer)
                for start in stride(from: 0, to: count, by: perBlock) {
                    let block = DirectionBlock(layer: layer, indices: start..<min(start + perBlock, count))
                    var columns = (0..<stack.layerCount).map { stack.zeroColumns(directions: block.count, layer: $0) }
                    for batch in batches {
                        stack.accumulateColumns(
                            curvature, block: block, batch: batch, parameters: parameters, into: &columns)
                    }
                    stack.scatter(columns, block: block, into: &sink)
                }
            }
        }
        for task in 0..<taskCount { penalty.accumulateHessian(task: task, into: &sink) }
    }

    /// The stack's training examples in consecutive batches, prepared for `curvature`.
    private func stackBatches(
        _ stack: CurvatureStack, _ curvature: Curvature, parameters: [LayerParameters], size: Int
    ) -> [StackBatch] {
        let data = dataset[trainingSplit]
        let rows = data.tasks[stack.tasks[0]].rows
        let scales = stack.tasks.map { trainingScales(task: $0) }
        return stride(from: 0, to: rows.count, by: size).map { start in
            let range = start..<min(start + size, rows.count)
            return stack.prepareBatch(
                curvature, features: data.features.rows(at: rows[range]),
                targets: stack.tasks.map { Array(data.tasks[$0].targets[range]) },
                scales: scales.map { Array($0[range]) }, parameters: parameters)
        }
    }
}

extension CurvatureStack {
    /// Adds the columns of `block` to `sink` on the indices of w: Mᵀ·E·M, where E holds the stack's
    /// curvature in its effective parameters and M sums the slices of w into them, so every slice
    /// that feeds a direction's parameter and every slice that feeds a row's parameter receive the
    /// entry. Entries between the output columns of two different members are exactly zero (no
    /// loss reads both) and are skipped.
    ///
    /// Layer-0 directions bring layer 0's rows only (`columns` holds one layer); directions of a
    /// higher layer bring every layer's rows, and their layer-0 rows are the only computation of
    /// those entries, so they are mirrored (see `CurvatureSink`). Every other entry is computed
    /// from both sides and averaged.
    ///
    /// - Complexity: O(D·P_stack) additions.
    func scatter(_ columns: [LayerParameters], block: DirectionBlock, into sink: inout some CurvatureSink) {
        let weights = columns.map { directionMajor($0.weights, directions: block.count) }
        for (direction, index) in block.indices.enumerated() {
            let (owner, targets) = globalIndices(of: index, layer: block.layer)
            for layer in columns.indices {
                let isMirrored = block.layer > 0 && layer == 0
                let (inputWidth, width) = (inputs(ofLayer: layer), outputs(ofLayer: layer))
                func add(_ run: UnsafeBufferPointer<Double>, firstRow: Int) {
                    for target in targets {
                        if isMirrored {
                            sink.addMirrored(run, direction: target, firstRow: firstRow)
                        } else {
                            sink.add(run, direction: target, firstRow: firstRow)
                        }
                    }
                }
                for (member, plan, window) in slices(ofLayer: layer)
                where owner == nil || member == nil || member == owner {
                    weights[layer].elements.withUnsafeBufferPointer { entries in
                        let base = direction * inputWidth * width
                        guard window.count < width else {
                            let run = UnsafeBufferPointer(rebasing: entries[base..<(base + inputWidth * width)])
                            for offset in plan.weightOffsets { add(run, firstRow: offset) }
                            return
                        }
                        for row in 0..<inputWidth {
                            let start = base + row * width + window.lowerBound
                            let run = UnsafeBufferPointer(rebasing: entries[start..<(start + window.count)])
                            for offset in plan.weightOffsets { add(run, firstRow: offset + row * window.count) }
                        }
                    }
                    guard hasBias(layer: layer) else { continue }
                    columns[layer].bias.withUnsafeBufferPointer { bias in
                        let first = direction * width + window.lowerBound
                        let run = UnsafeBufferPointer(rebasing: bias[first..<(first + window.count)])
                        for offset in plan.biasOffsets { add(run, firstRow: offset) }
                    }
                }
            }
        }
    }

    /// A weights accumulator (`inputs × (D·outputs)`, see `zeroColumns`) reordered direction-major,
    /// `D × (inputs·outputs)`: row d holds direction d's entries of W_j, row-major like W_j in w.
    private func directionMajor(_ weights: Matrix, directions: Int) -> Matrix {
        let width = weights.columns / directions
        var result = Matrix(rows: directions, columns: weights.rows * width)
        weights.elements.withUnsafeBufferPointer { source in
            result.elements.withUnsafeMutableBufferPointer { target in
                for row in 0..<weights.rows {
                    for direction in 0..<directions {
                        let from = row * weights.columns + direction * width
                        let to = (direction * weights.rows + row) * width
                        for column in 0..<width { target[to + column] = source[from + column] }
                    }
                }
            }
        }
        return result
    }

    /// The member owning a direction (nil in the chain, read by all) and its indices in w.
    private func globalIndices(of index: Int, layer: Int) -> (owner: Int?, indices: [Int]) {
        let width = outputs(ofLayer: layer)
        let weightCount = inputs(ofLayer: layer) * width
        guard layer == outputLayer else {
            let plan = chain[layer]
            return index < weightCount
                ? (nil, plan.weightOffsets.map { $0 + index })
                : (nil, plan.biasOffsets.map { $0 + index - weightCount })
        }
        let column = index < weightCount ? index % width : index - weightCount
        let member = member(ofColumn: column)
        let plan = outputPlans[member]
        let local = column - columnStarts[member]
        guard index < weightCount else { return (member, plan.biasOffsets.map { $0 + local }) }
        return (member, plan.weightOffsets.map { $0 + (index / width) * plan.outputs + local })
    }

    /// The plans feeding a layer with the output columns each covers: the chain layer itself, or
    /// every member's last layer.
    private func slices(ofLayer layer: Int) -> [(member: Int?, plan: DenseLayerPlan, window: Range<Int>)] {
        guard layer == outputLayer else { return [(nil, chain[layer], 0..<chain[layer].outputs)] }
        return outputPlans.indices.map { ($0, outputPlans[$0], outputColumns(ofMember: $0)) }
    }
}
