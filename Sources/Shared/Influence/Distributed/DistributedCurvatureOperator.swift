/// The objective's curvature H (or G) as an operator whose products are summed over workers:
/// each product is one round of `curvature-shard` jobs, one per shard of the training set.
///
/// H·v = Σ_shards (data term of the shard)·v + Σ_k P_k·v: the workers return the data terms,
/// which are added here in job-id order (the shard plan's order), never in arrival order, so a
/// product does not depend on timing or on which worker ran which shard; the penalty's product
/// P_k·v is computed here. The result equals `CurvatureOperator`'s up to the order of the sums
/// (about 1e-15 relative per product).
///
/// - Important: the operator drives `scheduler`, which owns a socket: create both, apply the
///   operator, and call `scheduler.finish()` on one thread. The scheduler's context must be
///   `CurvatureShardJob.runContext` for the same model, parameters and curvature.
/// - Complexity: per product of m directions, each shard carries m·P values to a worker and
///   back; the workers' work is that of `CurvatureOperator` for the same directions. A round
///   holds the directions once: each job's payload is joined from its shard and them when it
///   is sent.
public final class DistributedCurvatureOperator: SymmetricOperator {
    public let dimension: Int
    public let curvature: Curvature
    let objective: MultitaskObjective
    let scheduler: JobScheduler
    /// Each shard's payload without the directions, in plan order.
    let shardPayloads: [[UInt8]]
    private var nextJobID: UInt64 = 0
    /// Products applied so far: one round of jobs each.
    public private(set) var roundCount = 0

    /// - Parameters:
    ///   - objective: the objective whose curvature is applied; its training rows travel to
    ///     the workers shard by shard.
    ///   - curvature: Hessian or Gauss–Newton; must match the scheduler's context.
    ///   - shardSize: training examples per shard (as for scoring).
    ///   - dataSource: whether the shards' rows travel in every round's payloads, or the
    ///     workers load the dataset once (the scheduler's context must then carry it).
    ///   - scheduler: a scheduler for rounds (`init(configuration:context:roundJobKinds:…)`)
    ///     whose job kinds include `curvature-shard`.
    public init(
        objective: MultitaskObjective, curvature: Curvature, shardSize: Int,
        dataSource: ShardDataSource = .sentWithShards, scheduler: JobScheduler
    ) {
        self.dimension = objective.parameterCount
        self.curvature = curvature
        self.objective = objective
        self.scheduler = scheduler
        self.shardPayloads = ScoreShard.plan(for: objective, size: shardSize).map {
            CurvatureShardJob.shardPayload($0, objective: objective, dataSource: dataSource)
        }
    }

    /// The number of jobs in each round.
    public var shardCount: Int { shardPayloads.count }

    /// (H or G)·v for each row v of `vectors`, with one round of jobs for all rows.
    ///
    /// - Throws: what `JobScheduler.runRound` throws (a shard failed `maximumAttempts` times, the
    ///   run time limit), or `WireError.malformedMessage` for a result of the wrong shape.
    public func apply(toRows vectors: Matrix) throws -> Matrix {
        precondition(vectors.columns == dimension, "Directions must have P = \(dimension) columns")
        let directions = CurvatureShardJob.directionsBlob(vectors)
        let firstID = nextJobID
        nextJobID += UInt64(shardPayloads.count)
        let jobs = shardPayloads.enumerated().map { index, shard in
            JobSpecification(
                id: firstID + UInt64(index), kind: CurvatureShardJob.kind, payloadParts: [shard, directions])
        }
        var partials: [UInt64: Matrix] = [:]
        try scheduler.runRound(jobs: jobs) { job in
            partials[job.jobID] = try CurvatureShardJob.decodeResult(
                job.payload, directionCount: vectors.rows, dimension: dimension)
        }
        roundCount += 1
        return sum(partials, plus: penaltyProducts(vectors))
    }

    /// Σ_k P_k·v for each row v.
    private func penaltyProducts(_ vectors: Matrix) -> Matrix {
        var products = Matrix(rows: vectors.rows, columns: dimension)
        for row in 0..<vectors.rows {
            var product = [Double](repeating: 0, count: dimension)
            let v = vectors.row(row)
            for task in 0..<objective.taskCount { objective.penalty.accumulateProduct(task: task, v, into: &product) }
            products.elements.replaceSubrange((row * dimension)..<((row + 1) * dimension), with: product)
        }
        return products
    }

    /// The partial products added in job-id order, then `penalty`.
    private func sum(_ partials: [UInt64: Matrix], plus penalty: Matrix) -> Matrix {
        var total = Matrix(rows: penalty.rows, columns: penalty.columns)
        for jobID in partials.keys.sorted() {
            let partial = partials[jobID]!
            for index in total.elements.indices { total.elements[index] += partial.elements[index] }
        }
        for index in total.elements.indices { total.elements[index] += penalty.elements[index] }
        return total
    }

    /// What the solve report records about distributed products.
    public var report: DistributedProductsReport {
        DistributedProductsReport(rounds: roundCount, shardsPerRound: shardCount)
    }
}

/// How a solve's operator products were distributed, recorded in the solve report.
public struct DistributedProductsReport: Sendable, Codable, Equatable {
    /// Rounds of `curvature-shard` jobs: one per batched operator product.
    public var rounds: Int
    /// Jobs per round: the shards of the training set.
    public var shardsPerRound: Int

    public init(rounds: Int, shardsPerRound: Int) {
        self.rounds = rounds
        self.shardsPerRound = shardsPerRound
    }
}
