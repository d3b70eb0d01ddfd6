/// A batch of retrainings as `retrain` jobs: the run's context, one job per distinct request,
/// a journal key per request, and the results put back in request order.
///
/// Identical requests are retrained once: they would give the same parameters bit for bit.
public struct RetrainingPlan: Sendable {
    /// The requests, in the caller's order.
    public let requests: [RetrainingRequest]
    /// The distinct requests, in order of first appearance; job id i retrains `distinct[i]`.
    public let distinct: [RetrainingRequest]
    /// For each distinct request, the key of its result: SHA-256 over the problem
    /// (`RetrainJob.problemDigest`) and the request, the same whatever way the data travels.
    public let keys: [WireDigest]
    /// P, which every result must have.
    public let parameterCount: Int
    /// The optimiser every result must report.
    public let method: TrainingMethod
    /// Position in `distinct` of each request.
    private let slots: [Int]

    /// Checks the requests and plans one job per distinct request.
    ///
    /// - Throws: `UsageError` for a request that does not fit the objective, as
    ///   `InProcessRetrainer` would.
    /// - Complexity: one pass over the dataset (the problem digest).
    public init(
        requests: [RetrainingRequest], objective: MultitaskObjective, start: [Double], trainer: MultitaskTrainer
    ) throws {
        for request in requests { try request.validate(against: objective) }
        objective.checkParameterCount(start, "Starting point")
        var positions: [RetrainingRequest: Int] = [:]
        var distinct: [RetrainingRequest] = []
        slots = requests.map { request in
            if let position = positions[request] { return position }
            positions[request] = distinct.count
            distinct.append(request)
            return distinct.count - 1
        }
        self.requests = requests
        self.distinct = distinct
        let problem = RetrainJob.problemDigest(objective: objective, start: start, trainer: trainer)
        keys = distinct.map { RetrainJob.key(problem: problem, request: $0) }
        parameterCount = objective.parameterCount
        method = trainer.method(for: objective.model)
    }

    /// How many of `requests` the distinct request at `index` stands for.
    public func requestCount(of index: Int) -> Int {
        slots.count { $0 == index }
    }

    /// The jobs of the distinct requests not in `finished` (positions in `distinct`).
    public func jobs(excluding finished: Set<Int> = []) -> [JobSpecification] {
        distinct.indices.filter { !finished.contains($0) }.map { index in
            JobSpecification(
                id: UInt64(index), kind: RetrainJob.kind, payload: RetrainJob.payload(for: distinct[index]))
        }
    }

    /// Decodes and checks one result.
    ///
    /// - Returns: the position in `distinct` the result belongs to, and the parameters.
    /// - Throws: `WireError.malformedMessage` for a job id outside the plan or a malformed
    ///   result; `TrainingError` when the worker's trainer stopped short.
    public func decode(jobID: UInt64, payload: [UInt8]) throws -> (index: Int, result: TrainedParameters) {
        guard jobID < UInt64(distinct.count) else {
            throw WireError.malformed("retrain job id", expected: "below \(distinct.count)", found: "\(jobID)")
        }
        return (Int(jobID), try RetrainJob.decodeResult(payload, parameterCount: parameterCount, method: method))
    }

    /// The results in request order.
    ///
    /// - Precondition: `results` holds one result per distinct request.
    public func ordered(_ results: [Int: TrainedParameters]) -> [TrainedParameters] {
        slots.map { slot in
            guard let result = results[slot] else { preconditionFailure("No result for distinct request \(slot)") }
            return result
        }
    }
}
