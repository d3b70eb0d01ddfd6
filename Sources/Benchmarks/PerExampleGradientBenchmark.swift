import Foundation
import Shared

/// Times per-example gradients of a hard-sharing MLP on the real Yeast data against the matrix
/// products of one ordinary forward and backward pass over the same inputs.
///
/// The model is a 103 → 16 tanh trunk with 14 logistic heads (P = 1902) at a seeded random point:
/// the work does not depend on the values. With every input labelled for every task, there are
/// n·K (example, task) pairs, and each has its own gradient ∇_w ℓ_k(w; xᵢ). Three timings, best
/// of `--repeat`, on one BLAS thread:
///
/// - `explicit-gradients`: `MultitaskObjective.perExampleGradients` for every task, which writes
///   the n × P matrix of each task (the rows a framework's per-sample-gradient tool would give).
/// - `gradient-dots`: `perExampleGradientDots` for all tasks at once against `--queries` vectors
///   (the scoring kernel of method.md §3: gradients dotted with inverse-Hessian products, never
///   formed), which shares the trunk pass and its query projections across the tasks.
/// - `forward-backward-gemm`: the five DGEMMs a framework runs for one forward and one backward
///   pass of the whole batch with the heads stacked into one 16 × 14 matrix: X·W₁, H·V (forward),
///   Δ·Vᵀ, Hᵀ·Δ, Xᵀ·Δ_h (backward; no gradient for the inputs). This is a floor for "one batch
///   gradient", not a full framework step (no activations, no loss).
///
/// Throughput counts (example, task) gradients per second. The ratio is each method's time over
/// the forward-backward DGEMM time: how many batch passes one set of per-example gradients costs.
enum PerExampleGradientBenchmark {
    static func run(_ words: [String]) throws {
        let arguments = try CommandArguments(
            words, valueOptions: ["data-dir", "inputs", "queries", "repeat", "seed"], flagOptions: [])
        let inputs = arguments.value("inputs") ?? "train"
        guard inputs == "train" || inputs == "all" else {
            throw UsageError(
                "--inputs expects train (the 60 % train split) or all (every Yeast input), found \(inputs).")
        }
        let queryCount = try arguments.integer("queries", default: 14)
        let repeats = try arguments.integer("repeat", default: 5)
        let seed = UInt64(max(try arguments.integer("seed", default: 0), 0))
        BLASRuntime.setThreadCount(1)

        let objective = try makeObjective(inputs: inputs, dataDirectory: arguments.value("data-dir"))
        let w = objective.model.makeInitialParameters(seed: seed)
        let queries = SolveScalingBenchmark.randomMatrix(rows: objective.parameterCount, columns: queryCount, seed: 5)
        let n = objective.trainCount(task: 0)
        let pairs = Double(n * objective.taskCount)

        let baseline = timeForwardBackward(objective, at: w, repeats: repeats)
        let explicit = SolveScalingBenchmark.best(of: repeats) {
            for task in 0..<objective.taskCount { _ = objective.perExampleGradients(task: task, at: w) }
        }
        let dots = SolveScalingBenchmark.best(of: repeats) {
            _ = objective.perExampleGradientDots(at: w, against: queries)
        }
        let common =
            "\"inputs\":\(n),\"tasks\":\(objective.taskCount),\"parameters\":\(objective.parameterCount),"
            + "\"threads\":\(BLASRuntime.threadCount),\"blas_core\":\"\(BLASRuntime.coreName)\""
        for (method, seconds, queries) in [
            ("forward-backward-gemm", baseline, 0), ("explicit-gradients", explicit, 0),
            ("gradient-dots", dots, queryCount),
        ] {
            print(
                "{\"benchmark\":\"per-example-gradients\",\"method\":\"\(method)\",\(common),\"queries\":\(queries),"
                    + "\"seconds\":\(String(format: "%.6f", seconds)),"
                    + "\"pairs_per_second\":\(String(format: "%.1f", pairs / seconds)),"
                    + "\"ratio_to_forward_backward\":\(String(format: "%.3f", seconds / baseline))}")
        }
    }

    /// The objective of the 103 → 16 tanh hard-sharing MLP on Yeast, λ = 1e-3.
    ///
    /// - Parameter inputs: `train` for the standard 60/20/20 split's train part, `all` for a
    ///   training split holding every input (the three splits stacked).
    static func makeObjective(inputs: String, dataDirectory: String?) throws -> MultitaskObjective {
        var dataset = try DatasetSource.builtin(.yeast).load(
            configuration: DatasetConfiguration(), dataDirectory: DataDirectory.resolve(explicit: dataDirectory))
        if inputs == "all" { dataset.train = stacked(Split.allCases.map { dataset[$0] }) }
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [HiddenLayer(width: 16, activation: .tanh)]), dataset: dataset)
        return try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: 1e-3))
    }

    /// The splits' inputs one after the other, each task's examples re-indexed accordingly.
    static func stacked(_ splits: [SplitData]) -> SplitData {
        var offsets = [0]
        for split in splits { offsets.append(offsets.last! + split.features.rows) }
        let tasks = splits[0].tasks.indices.map { task in
            TaskExamples(
                rows: zip(splits, offsets).flatMap { split, offset in split.tasks[task].rows.map { $0 + offset } },
                targets: splits.flatMap { $0.tasks[task].targets })
        }
        return SplitData(
            features: Matrix(
                rows: offsets.last!, columns: splits[0].features.columns, elements: splits.flatMap(\.features.elements)),
            sourceIDs: splits.flatMap(\.sourceIDs), tasks: tasks)
    }

    /// The best time of the five DGEMMs of one forward and backward pass over all n inputs.
    static func timeForwardBackward(_ objective: MultitaskObjective, at w: [Double], repeats: Int) -> Double {
        let x = objective.dataset.features(task: 0, split: objective.trainingSplit)
        let layout = objective.model.layout
        let trunk = layout.sharedBlock.layers[0]
        let hidden = trunk.outputs
        let trunkWeights = Matrix(rows: trunk.inputs, columns: hidden, elements: Array(w[trunk.weightRange]))
        var headWeights = Matrix(rows: hidden, columns: objective.taskCount)
        for (task, block) in layout.taskBlocks.enumerated() {
            for unit in 0..<hidden { headWeights[unit, task] = w[block.layers[0].weightOffset + unit] }
        }
        let outputDeltas = SolveScalingBenchmark.randomMatrix(rows: x.rows, columns: objective.taskCount, seed: 6)
        return SolveScalingBenchmark.best(of: repeats) {
            let h = matrixProduct(x, trunkWeights)
            let f = matrixProduct(h, headWeights)
            let hiddenDeltas = matrixProduct(outputDeltas, headWeights, transposingB: true)
            let headGradient = matrixProduct(h, outputDeltas, transposingA: true)
            let trunkGradient = matrixProduct(x, hiddenDeltas, transposingA: true)
            precondition(f.rows == x.rows && headGradient.rows == hidden && trunkGradient.rows == x.columns)
        }
    }
}
