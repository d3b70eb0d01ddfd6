import Foundation
import Shared

/// Times the dense curvature of the Yeast hard-sharing MLP (103 → 16 tanh trunk, 14 logistic
/// heads, P = 1902) assembled by the batched R-operator against one Hessian-vector product per
/// column.
///
/// Four timings, best of `--repeat`, at a seeded random point (the work does not depend on the
/// values), on the BLAS threads OpenBLAS chose:
///
/// - `hessian`, `gauss-newton`, `hessian-blocks`: `MultitaskObjective.hessian(at:)`,
///   `gaussNewtonMatrix(at:)` and `hessianBlocks(at:)`, the batched assembly;
/// - `hessian-products`: P calls of `hessianVectorProduct` with the unit vectors, the assembly
///   these replaced, timed once (it takes seconds) and checked against `hessian` (relative
///   Frobenius error in `difference`).
///
/// `--examples N` keeps the first N training inputs (every task labels every input), so that the
/// scale of `mtif score` runs on Yeast subsets can be reproduced; the default keeps them all.
enum CurvatureAssemblyBenchmark {
    static func run(_ words: [String]) throws {
        let arguments = try CommandArguments(
            words, valueOptions: ["data-dir", "examples", "repeat", "seed"], flagOptions: ["skip-products"])
        let repeats = try arguments.integer("repeat", default: 3)
        let seed = UInt64(max(try arguments.integer("seed", default: 0), 0))
        var objective = try PerExampleGradientBenchmark.makeObjective(
            inputs: "train", dataDirectory: arguments.value("data-dir"))
        if let limit = arguments.value("examples") {
            guard let count = Int(limit), count >= 1 else {
                throw UsageError("--examples expects a positive number of training inputs, found \(limit).")
            }
            objective = try firstInputs(of: objective, count: count)
        }
        let w = objective.model.makeInitialParameters(seed: seed)

        var hessian = Matrix(rows: 0, columns: 0)
        let timings: [(String, Double)] = [
            ("hessian", SolveScalingBenchmark.best(of: repeats) { hessian = objective.hessian(at: w) }),
            ("gauss-newton", SolveScalingBenchmark.best(of: repeats) { _ = objective.gaussNewtonMatrix(at: w) }),
            ("hessian-blocks", SolveScalingBenchmark.best(of: repeats) { _ = objective.hessianBlocks(at: w) }),
        ]
        let common =
            "\"inputs\":\(objective.trainCount(task: 0)),\"tasks\":\(objective.taskCount),"
            + "\"parameters\":\(objective.parameterCount),\"threads\":\(BLASRuntime.threadCount)"
        for (method, seconds) in timings {
            print(
                "{\"benchmark\":\"curvature-assembly\",\"method\":\"\(method)\",\(common),"
                    + "\"seconds\":\(String(format: "%.6f", seconds))}")
        }
        guard !arguments.isSet("skip-products") else { return }

        var products = Matrix(rows: 0, columns: 0)
        let seconds = SolveScalingBenchmark.best(of: 1) { products = productHessian(objective, at: w) }
        let difference = zip(products.elements, hessian.elements).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let reference = products.elements.reduce(0) { $0 + $1 * $1 }
        print(
            "{\"benchmark\":\"curvature-assembly\",\"method\":\"hessian-products\",\(common),"
                + "\"seconds\":\(String(format: "%.6f", seconds)),"
                + "\"difference\":\(String(format: "%.3e", (difference / reference).squareRoot()))}")
    }

    /// H from P Hessian-vector products with the unit vectors, symmetrised.
    static func productHessian(_ objective: MultitaskObjective, at w: [Double]) -> Matrix {
        let count = objective.parameterCount
        var columns: [Double] = []
        columns.reserveCapacity(count * count)
        for index in 0..<count {
            var unit = [Double](repeating: 0, count: count)
            unit[index] = 1
            columns += objective.hessianVectorProduct(at: w, unit)
        }
        return Matrix(rows: count, columns: count, elements: columns).symmetrized()
    }

    /// The objective restricted to the first `count` training inputs.
    static func firstInputs(of objective: MultitaskObjective, count: Int) throws -> MultitaskObjective {
        var dataset = objective.dataset
        let train = dataset.train
        let kept = min(count, train.features.rows)
        dataset.train = SplitData(
            features: train.features.rows(in: 0..<kept), sourceIDs: Array(train.sourceIDs.prefix(kept)),
            tasks: train.tasks.map { examples in
                let positions = examples.rows.indices.filter { examples.rows[$0] < kept }
                return TaskExamples(
                    rows: positions.map { examples.rows[$0] }, targets: positions.map { examples.targets[$0] })
            })
        return try MultitaskObjective(
            model: objective.model, dataset: dataset, regularization: objective.regularization)
    }
}
