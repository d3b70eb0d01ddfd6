import Foundation
import Shared

/// Times the arrowhead solve against the dense Cholesky solve as the number of tasks K grows at
/// fixed per-task size d and shared size p (method.md §4).
///
/// The blocks are those of a damped Gauss–Newton matrix JᵀJ + I of random Jacobians, so the
/// whole matrix is positive definite with the arrowhead sparsity; `--queries` (default 10) queries are
/// solved. The dense solve runs while P = K·d + p ≤ `--dense-limit`.
enum SolveScalingBenchmark {
    static func run(_ words: [String]) throws {
        let arguments = try CommandArguments(
            words, valueOptions: ["tasks", "task-size", "shared-size", "dense-limit", "repeat", "queries"],
            flagOptions: [])
        let taskCounts = (arguments.value("tasks") ?? "10,30,100").split(separator: ",").compactMap { Int($0) }
        let taskSize = try arguments.integer("task-size", default: 20)
        let sharedSize = try arguments.integer("shared-size", default: 100)
        let denseLimit = try arguments.integer("dense-limit", default: 4000)
        let repeats = try arguments.integer("repeat", default: 3)
        let queryCount = try arguments.integer("queries", default: 10)
        for taskCount in taskCounts {
            let blocks = makeBlocks(taskCount: taskCount, taskSize: taskSize, sharedSize: sharedSize)
            let rightHandSides = randomMatrix(rows: queryCount, columns: blocks.dimension, seed: 99)
            let arrowhead = try best(of: repeats) {
                _ = try ArrowheadInverseHessian.solve(blocks, rightHandSides: rightHandSides, damping: 0)
            }
            var dense: Double?
            if blocks.dimension <= denseLimit {
                let matrix = blocks.assembled()
                dense = try best(of: repeats) {
                    _ = try DenseInverseHessian.solve(denseMatrix: matrix, rightHandSides: rightHandSides, damping: 0)
                }
            }
            let denseText = dense.map { String(format: "%.6f", $0) } ?? "null"
            print(
                "{\"benchmark\":\"solve-scaling\",\"tasks\":\(taskCount),\"task_size\":\(taskSize),"
                    + "\"shared_size\":\(sharedSize),\"queries\":\(queryCount),\"parameters\":\(blocks.dimension),"
                    + "\"arrowhead_seconds\":\(String(format: "%.6f", arrowhead)),\"dense_seconds\":\(denseText)}")
        }
    }

    /// Blocks of JᵀJ + I for a random Jacobian with the multitask sparsity: rows of task k touch
    /// only θ_k and γ.
    static func makeBlocks(taskCount: Int, taskSize: Int, sharedSize: Int) -> HessianBlocks {
        var shared = Matrix.identity(sharedSize)
        var taskBlocks: [Matrix] = []
        var couplings: [Matrix] = []
        for task in 0..<taskCount {
            let jacobianTask = randomMatrix(
                rows: 2 * (taskSize + sharedSize), columns: taskSize, seed: UInt64(2 * task))
            let jacobianShared = randomMatrix(rows: jacobianTask.rows, columns: sharedSize, seed: UInt64(2 * task + 1))
            var block = Matrix.identity(taskSize)
            symmetricRankUpdate(&block, adding: jacobianTask)
            taskBlocks.append(block)
            couplings.append(matrixProduct(jacobianTask, jacobianShared, transposingA: true))
            symmetricRankUpdate(&shared, adding: jacobianShared)
        }
        return HessianBlocks(taskBlocks: taskBlocks, couplingBlocks: couplings, sharedBlock: shared)
    }

    static func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        return Matrix(
            rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in generator.nextNormal() })
    }

    /// The fastest of `repeats` runs, in seconds.
    static func best(of repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return fastest
    }
}
