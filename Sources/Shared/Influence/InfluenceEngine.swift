/// The single-process MTIF pipeline: query gradients, inverse-Hessian products, scores.
///
/// The distributed runner reuses every step but the scoring loop, which it shards across
/// workers with the same `scoreShard`.
public enum InfluenceEngine {
    /// The queries of a selection: every task's validation loss first, then (for `.examples`)
    /// every validation example, task by task.
    public static func queries(for objective: MultitaskObjective, selection: QuerySelection) -> [Query] {
        let tasks = (0..<objective.taskCount).map { Query.taskValidationLoss(task: $0) }
        guard selection == .examples else { return tasks }
        return tasks
            + (0..<objective.taskCount).flatMap { task in
                (0..<objective.dataset.validation.tasks[task].count).map {
                    Query.validationExample(task: task, example: $0)
                }
            }
    }

    /// ∇V_j(ŵ) for every query, as rows (`Q × P`).
    ///
    /// - Throws: `ModelError.Code.emptyTask` when a query task has no validation examples.
    /// - Complexity: one validation gradient per task query; one batched per-example gradient
    ///   pass per task with example queries.
    public static func queryGradients(
        objective: MultitaskObjective, parameters: [Double], queries: [Query]
    ) throws -> Matrix {
        var rows = Matrix(rows: queries.count, columns: objective.parameterCount)
        var exampleGradients: [Int: Matrix] = [:]
        for (index, query) in queries.enumerated() {
            let gradient: [Double]
            switch query {
            case .taskValidationLoss(let task):
                gradient = try objective.meanLossGradient(task: task, split: .validation, at: parameters)
            case .validationExample(let task, let example):
                if exampleGradients[task] == nil {
                    exampleGradients[task] = objective.perExampleGradients(
                        task: task, split: .validation, at: parameters)
                }
                gradient = exampleGradients[task]!.row(example)
            }
            rows.elements.replaceSubrange((index * rows.columns)..<((index + 1) * rows.columns), with: gradient)
        }
        return rows
    }

    /// (H + δI)⁻¹v for each row of `rightHandSides`, by the configured solver.
    ///
    /// - Parameters:
    ///   - productOperator: the curvature's products for the product-based solvers (cg,
    ///     lissa), e.g. a `DistributedCurvatureOperator`; the local `CurvatureOperator` when
    ///     nil. The dense and arrowhead solves assemble the matrix here and ignore it.
    /// - Throws: `InfluenceError` (indefinite curvature, no convergence); what
    ///   `productOperator` throws.
    public static func solve(
        objective: MultitaskObjective, parameters: [Double], rightHandSides: Matrix,
        configuration: InfluenceConfiguration, productOperator: (any SymmetricOperator)? = nil
    ) throws -> InverseHessianProducts {
        let local = CurvatureOperator(objective: objective, parameters: parameters, curvature: configuration.curvature)
        let curvatureOperator: any SymmetricOperator = productOperator ?? local
        let damping = configuration.damping
        let curvature = configuration.curvature
        switch configuration.solver {
        case .dense:
            return try DenseInverseHessian.solve(
                local, rightHandSides: rightHandSides, damping: damping, curvature: curvature)
        case .arrowhead:
            let blocks = objective.hessianBlocks(at: parameters)
            return try ArrowheadInverseHessian.solve(
                blocks, rightHandSides: rightHandSides, damping: damping, curvature: curvature)
        case .conjugateGradient:
            return try ConjugateGradient.solve(
                curvatureOperator, rightHandSides: rightHandSides, damping: damping,
                configuration: configuration.iterative, curvature: curvature)
        case .lissa:
            return try LiSSA.solve(
                curvatureOperator, rightHandSides: rightHandSides, damping: damping, configuration: configuration.lissa,
                curvature: curvature)
        }
    }

    /// Everything before the scoring pass: queries, their gradients, the inverse-Hessian
    /// products, the scoring context and the shard plan. The single-process loop and the
    /// distributed scheduler both start from it.
    ///
    /// - Parameters:
    ///   - productScope: when given, called once the query gradients exist, with the solve as
    ///     a function of the operator to use for the curvature's products (see `solve`). It
    ///     returns what that function returns and may hold resources (a pool of workers) for
    ///     exactly that long. A `DistributedCurvatureOperator` is named in the solve report.
    /// - Throws: `UsageError` for an invalid configuration; `InfluenceError` from the solve;
    ///   what `productScope` throws.
    public static func prepare(
        objective: MultitaskObjective, parameters: [Double], configuration: InfluenceConfiguration,
        productScope: ProductScope? = nil
    ) throws -> PreparedScoring {
        try configuration.validate(for: objective.model)
        let queries = queries(for: objective, selection: configuration.queries)
        let (gradients, gradientSeconds) = try timed {
            try queryGradients(objective: objective, parameters: parameters, queries: queries)
        }
        func solveWith(_ productOperator: (any SymmetricOperator)?) throws -> InverseHessianProducts {
            var products = try solve(
                objective: objective, parameters: parameters, rightHandSides: gradients, configuration: configuration,
                productOperator: productOperator)
            if let distributed = productOperator as? DistributedCurvatureOperator, distributed.roundCount > 0 {
                products.report.distributedProducts = distributed.report
            }
            return products
        }
        let (products, solveSeconds) = try timed {
            try productScope.map { try $0 { try solveWith($0) } } ?? solveWith(nil)
        }
        let context = ScoringContext.make(
            objective: objective, parameters: parameters, inverseHessianProducts: products.vectors,
            convention: configuration.convention)
        return PreparedScoring(
            objective: objective, parameters: parameters, queries: queries, solve: products.report, context: context,
            plan: ScoreShard.plan(for: objective, size: configuration.shardSize),
            timings: ["query-gradients": gradientSeconds, "solve": solveSeconds])
    }

    /// Scores every training example against every query, in one process.
    ///
    /// - Parameters:
    ///   - progress: advanced by the number of examples (summed over tasks) each shard scores.
    /// - Throws: `UsageError` for an invalid configuration; `InfluenceError` from the solve.
    public static func run(
        objective: MultitaskObjective, parameters: [Double], configuration: InfluenceConfiguration,
        progress: ProgressReporter? = nil
    ) throws -> InfluenceResult {
        let prepared = try prepare(objective: objective, parameters: parameters, configuration: configuration)
        return prepared.scoreInProcess(progress: progress)
    }
}

/// Runs a solve (given as a function of the curvature operator) with an operator of the
/// caller's choosing, holding what the operator needs for the duration.
public typealias ProductScope =
    ((any SymmetricOperator) throws -> InverseHessianProducts) throws -> InverseHessianProducts

/// A scoring run ready for its scoring pass (see `InfluenceEngine.prepare`).
public struct PreparedScoring: Sendable {
    public let objective: MultitaskObjective
    public let parameters: [Double]
    public let queries: [Query]
    public let solve: SolveReport
    public let context: ScoringContext
    /// The shards, in job-id order.
    public let plan: [ScoreShard]
    public let timings: [String: Double]

    /// Runs the scoring pass here, shard by shard in plan order, and completes the result.
    ///
    /// Results equal a distributed run's bit for bit when OpenBLAS uses the same core type and
    /// the same thread count as the workers (one): `mtif` sets one thread for this pass.
    public func scoreInProcess(progress: ProgressReporter? = nil) -> InfluenceResult {
        let (scores, seconds) = timed {
            var assembler = makeAssembler()
            for shard in plan {
                assembler.insert(
                    scoreShard(shard, objective: objective, parameters: parameters, context: context), for: shard)
                progress?.advance(by: shard.examples.count * shard.tasks.count)
            }
            progress?.finish()
            return assembler.scores
        }
        return complete(scores: scores, scoringSeconds: seconds)
    }

    /// An empty scores matrix with this run's axes.
    public func makeAssembler() -> ScoresAssembler {
        ScoresAssembler(trainCounts: context.trainCounts, queries: queries, convention: context.convention)
    }

    /// The result, once every shard is in `scores`: adds the task matrix (method.md §5).
    public func complete(scores: InfluenceScores, scoringSeconds: Double) -> InfluenceResult {
        let taskColumns = context.queryColumns.block(
            rows: 0..<objective.parameterCount, columns: 0..<objective.taskCount)
        let relatedness = TaskRelatedness(objective: objective, parameters: parameters, taskQueryColumns: taskColumns)
        var timings = self.timings
        timings["score"] = scoringSeconds
        return InfluenceResult(scores: scores, taskRelatedness: relatedness, solve: solve, timings: timings)
    }
}

/// What one scoring run produces.
public struct InfluenceResult: Sendable {
    public var scores: InfluenceScores
    public var taskRelatedness: TaskRelatedness
    public var solve: SolveReport
    /// Seconds per stage: `query-gradients`, `solve`, `score`.
    public var timings: [String: Double]
}

/// Places shard results into the scores matrix; a shard scored twice overwrites itself with
/// identical values, so duplicates are harmless.
public struct ScoresAssembler: Sendable {
    public private(set) var scores: InfluenceScores

    public init(trainCounts: [Int], queries: [Query], convention: RemovalConvention) {
        let rows = trainCounts.reduce(0, +)
        scores = InfluenceScores(
            values: Matrix(rows: rows, columns: queries.count), queries: queries, trainCounts: trainCounts,
            convention: convention)
    }

    /// Starts from scores already computed, such as a partly filled scores file of a run that
    /// resumes; rows still to come are overwritten by `insert`.
    ///
    /// - Precondition: `values` is `N × Q` for these train counts and queries.
    public init(values: Matrix, trainCounts: [Int], queries: [Query], convention: RemovalConvention) {
        scores = InfluenceScores(values: values, queries: queries, trainCounts: trainCounts, convention: convention)
    }

    /// Copies a shard's scores, as lent by `ScoreShardJob.withResult`, into their rows.
    ///
    /// - Precondition: `scoreBytes` holds `(tasks · n) × Q` doubles, task by task.
    public mutating func insert(scoreBytes: UnsafeRawBufferPointer, for shard: ScoreShard) {
        let width = scores.queries.count
        let blockBytes = shard.examples.count * width * MemoryLayout<Double>.size
        precondition(scoreBytes.count == blockBytes * shard.tasks.count, "Score bytes do not match the shard")
        for (index, task) in shard.tasks.enumerated() {
            let start = (scores.rows(ofTask: task).lowerBound + shard.examples.lowerBound) * width
            scores.values.elements.withUnsafeMutableBytes { destination in
                UnsafeMutableRawBufferPointer(
                    rebasing: destination[(start * MemoryLayout<Double>.size)...]
                ).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: scoreBytes[(index * blockBytes)...].prefix(blockBytes)))
            }
        }
    }

    /// Copies each task's block of a shard into its rows.
    public mutating func insert(_ blocks: [Matrix], for shard: ScoreShard) {
        precondition(blocks.count == shard.tasks.count, "One block per task of the shard")
        let width = scores.queries.count
        for (task, block) in zip(shard.tasks, blocks) {
            precondition(block.rows == shard.examples.count && block.columns == width, "Block shape mismatch")
            let start = (scores.rows(ofTask: task).lowerBound + shard.examples.lowerBound) * width
            scores.values.elements.replaceSubrange(start..<(start + block.elements.count), with: block.elements)
        }
    }
}
