/// The `retrain` job: one warm-started retraining of the ground truth, run by a worker with the
/// trainer `InProcessRetrainer` uses, on an objective rebuilt bit for bit from the context.
///
/// Context blobs (sent once per worker, cached by content hash):
/// - `score.model`: the model description, then the warm start ŵ as a 1 × P `WireMatrix` (the
///   blob `score-shard` uses);
/// - `retrain.objective`: the penalties λ and μ (IEEE 754 bit patterns, `UInt64`), the task
///   count K (`UInt32`), then each task's example weights c_ki as a 1 × n_k `WireMatrix`;
/// - `retrain.trainer`: the settings of both optimisers (Newton's convergence; Adam's steps and
///   learning rate, the L-BFGS memory and convergence), integers as `UInt64` and reals as bit
///   patterns, so that the worker's trainer equals the coordinator's exactly;
/// - the training split: `retrain.data` with its inputs (inputs × d `WireMatrix`), K (`UInt32`)
///   and each task's rows (`UInt32` count, `UInt32` row indices) and targets (1 × n_k
///   `WireMatrix`), sent once per worker (`ShardDataSource.sentWithShards`); or `shard.dataset`,
///   the dataset each worker loads and checks by fingerprint (`.loadedByWorkers`).
///
/// Payload: the removal convention (`UInt8`: 0 weight-zero, 1 renormalised), the count of
/// removed examples (`UInt32`) and each as task and position (`UInt32` twice).
///
/// Result: a status byte, then the training report (method `UInt8`: 0 Newton, 1 Adam then
/// L-BFGS; iterations `UInt64`; final loss, gradient norm and initial gradient norm as bit
/// patterns; converged `UInt8`). Status 0 (trained) is followed by the parameters as a 1 × P
/// `WireMatrix`. Status 1 (the trainer stopped short: `TrainingError`) is followed by the
/// error's code (`UInt8`: 0 did not converge, 1 line search failed, 2 non-finite objective),
/// its message (text) and its last finite iterate (`UInt8` 1 and a 1 × P `WireMatrix`, or 0).
/// A retraining that stops short is a result, not a job failure: it would stop short again on
/// any worker, so the coordinator rethrows it at once instead of dispatching it again.
public enum RetrainJob {
    public static let kind = "retrain"
    static let objectiveBlobName = "retrain.objective"
    static let trainerBlobName = "retrain.trainer"
    static let dataBlobName = "retrain.data"

    // MARK: - Coordinator side

    /// The context blobs of a batch of retrainings of `objective` from `start`.
    ///
    /// - Parameter dataSource: `.sentWithShards` sends the training split once per worker as the
    ///   `retrain.data` blob; `.loadedByWorkers` names the dataset instead.
    /// - Complexity: one copy of the training split when it is sent.
    public static func contextBlobs(
        objective: MultitaskObjective, start: [Double], trainer: MultitaskTrainer,
        dataSource: ShardDataSource = .sentWithShards
    ) -> [ContextBlob] {
        let data =
            dataSource == .sentWithShards
            ? [ContextBlob(name: dataBlobName, bytes: encodeSplit(objective.dataset[objective.trainingSplit]))]
            : ShardData.contextBlobs(dataSource)
        return problemBlobs(objective: objective, start: start, trainer: trainer) + data
    }

    /// The blobs that do not hold data: model and warm start, objective, trainer.
    static func problemBlobs(objective: MultitaskObjective, start: [Double], trainer: MultitaskTrainer) -> [ContextBlob]
    {
        [
            ScoreShardJob.modelBlob(model: objective.model, parameters: start),
            ContextBlob(name: objectiveBlobName, bytes: encodeObjective(objective)),
            ContextBlob(name: trainerBlobName, bytes: encodeTrainer(trainer)),
        ]
    }

    /// What identifies a retraining problem whatever way its data reaches the workers:
    /// SHA-256 over the model, warm start, objective and trainer blobs' digests, the dataset's
    /// fingerprint and the training split's name. Journals key finished retrainings by it.
    ///
    /// The trainer enters with its iteration caps set to `MultitaskTrainer()`'s: a converged
    /// retraining is the same whatever the cap (the optimisers are deterministic and stop at the
    /// tolerance), so raising `--max-iterations` after a retraining missed its tolerance keeps
    /// the journal, and journals written before the cap could be set keep their keys.
    ///
    /// - Complexity: one pass over the dataset (its fingerprint).
    public static func problemDigest(
        objective: MultitaskObjective, start: [Double], trainer: MultitaskTrainer
    ) -> WireDigest {
        var uncapped = trainer
        let defaults = MultitaskTrainer()
        uncapped.newton.convergence.maximumIterations = defaults.newton.convergence.maximumIterations
        uncapped.adamLBFGS.convergence.maximumIterations = defaults.adamLBFGS.convergence.maximumIterations
        var writer = WireWriter()
        writer.appendText("mtif.retrain.v1")
        for blob in problemBlobs(objective: objective, start: start, trainer: uncapped) {
            writer.appendName(blob.name)
            writer.appendFixed(blob.digest.bytes)
        }
        writer.appendText(objective.dataset.fingerprint())
        writer.appendText(objective.trainingSplit.rawValue)
        return .sha256(of: writer.bytes)
    }

    /// The key of one retraining of a problem: SHA-256 over the problem digest and the payload.
    public static func key(problem: WireDigest, request: RetrainingRequest) -> WireDigest {
        .sha256(of: problem.bytes + payload(for: request))
    }

    /// The payload of one request.
    public static func payload(for request: RetrainingRequest) -> [UInt8] {
        var writer = WireWriter(capacity: 5 + 8 * request.removed.count)
        writer.append(UInt8(request.convention == .weightZero ? 0 : 1))
        writer.append(UInt32(request.removed.count))
        for example in request.removed {
            writer.append(UInt32(example.task))
            writer.append(UInt32(example.example))
        }
        return writer.bytes
    }

    /// Decodes and checks a result.
    ///
    /// - Parameters:
    ///   - parameterCount: P of the model retrained.
    ///   - method: the optimiser the trainer uses for the model.
    /// - Returns: the retrained parameters and their report.
    /// - Throws: `TrainingError`, rebuilt with its code, message, report and last iterate, when
    ///   the worker's trainer stopped short; `WireError.malformedMessage` for a result that does
    ///   not decode, parameters that are not 1 × `parameterCount` or not finite, or a report of
    ///   another method or with non-finite values.
    public static func decodeResult(
        _ bytes: [UInt8], parameterCount: Int, method: TrainingMethod
    ) throws -> TrainedParameters {
        var reader = WireReader(bytes)
        let status = try reader.read(UInt8.self, "retrain result status")
        let report = try readReport(&reader, method: method)
        switch status {
        case 0:
            let parameters = try readParameters(&reader, count: parameterCount)
            try reader.expectEnd("retrain result")
            guard report.converged else {
                throw WireError.malformed("retrain report", expected: "a converged training", found: "not converged")
            }
            return TrainedParameters(parameters: parameters, report: report)
        case 1:
            throw try readTrainingError(&reader, report: report, parameterCount: parameterCount)
        case let other:
            throw WireError.malformed(
                "retrain result status", expected: "0 (trained) or 1 (stopped)", found: "\(other)")
        }
    }
}

// MARK: - Encoding

extension RetrainJob {
    static func encodeObjective(_ objective: MultitaskObjective) -> [UInt8] {
        var writer = WireWriter()
        writer.append(objective.regularization.l2.bitPattern)
        writer.append(objective.regularization.coupling.bitPattern)
        writer.append(UInt32(objective.taskCount))
        for weights in objective.exampleWeights {
            writer.appendBlob(WireMatrix.encode(Matrix(rows: 1, columns: weights.count, elements: weights)))
        }
        return writer.bytes
    }

    static func encodeTrainer(_ trainer: MultitaskTrainer) -> [UInt8] {
        var writer = WireWriter()
        appendConvergence(trainer.newton.convergence, to: &writer)
        writer.append(UInt64(trainer.adamLBFGS.adamSteps))
        writer.append(trainer.adamLBFGS.learningRate.bitPattern)
        writer.append(UInt64(trainer.adamLBFGS.memory))
        appendConvergence(trainer.adamLBFGS.convergence, to: &writer)
        return writer.bytes
    }

    private static func appendConvergence(_ convergence: ConvergenceCriterion, to writer: inout WireWriter) {
        writer.append(convergence.relativeGradientTolerance.bitPattern)
        writer.append(convergence.absoluteGradientTolerance.bitPattern)
        writer.append(UInt64(convergence.maximumIterations))
    }

    static func encodeSplit(_ split: SplitData) -> [UInt8] {
        var writer = WireWriter(capacity: 16 + split.features.elements.count * 8)
        writer.appendBlob(WireMatrix.encode(split.features))
        writer.append(UInt32(split.tasks.count))
        for examples in split.tasks {
            writer.append(UInt32(examples.count))
            for row in examples.rows { writer.append(UInt32(row)) }
            writer.appendBlob(
                WireMatrix.encode(Matrix(rows: 1, columns: examples.count, elements: examples.targets)))
        }
        return writer.bytes
    }

    /// The result a worker returns for a retraining that converged: what journals store for
    /// retrainings run in the coordinator's own process.
    public static func encodedResult(_ trained: TrainedParameters) -> [UInt8] {
        encodeResult(.success(trained))
    }

    /// A result: status 0 with the parameters, or status 1 with the trainer's error.
    static func encodeResult(_ outcome: Result<TrainedParameters, TrainingError>) -> [UInt8] {
        var writer = WireWriter()
        switch outcome {
        case .success(let trained):
            writer.append(UInt8(0))
            appendReport(trained.report, to: &writer)
            appendParameters(trained.parameters, to: &writer)
        case .failure(let error):
            writer.append(UInt8(1))
            appendReport(error.report, to: &writer)
            writer.append(UInt8(Self.errorCodes.firstIndex(of: error.code)!))  // every code is listed
            writer.appendText(error.message)
            writer.append(UInt8(error.parameters == nil ? 0 : 1))
            if let parameters = error.parameters { appendParameters(parameters, to: &writer) }
        }
        return writer.bytes
    }

    /// The `TrainingError` codes by their wire number.
    static let errorCodes: [TrainingError.Code] = [.didNotConverge, .lineSearchFailed, .nonFiniteObjective]

    private static func appendReport(_ report: TrainingReport, to writer: inout WireWriter) {
        writer.append(UInt8(report.method == .newton ? 0 : 1))
        writer.append(UInt64(report.iterations))
        writer.append(report.finalLoss.bitPattern)
        writer.append(report.gradientNorm.bitPattern)
        writer.append(report.initialGradientNorm.bitPattern)
        writer.append(UInt8(report.converged ? 1 : 0))
    }

    private static func appendParameters(_ parameters: [Double], to writer: inout WireWriter) {
        writer.appendBlob(WireMatrix.encode(Matrix(rows: 1, columns: parameters.count, elements: parameters)))
    }
}

// MARK: - Decoding results

extension RetrainJob {
    private static func readReport(
        _ reader: inout WireReader, method expected: TrainingMethod
    ) throws
        -> TrainingReport
    {
        let method: TrainingMethod
        switch try reader.read(UInt8.self, "retrain report method") {
        case 0: method = .newton
        case 1: method = .adamThenLBFGS
        case let other:
            throw WireError.malformed("retrain report method", expected: "0 or 1", found: "\(other)")
        }
        let iterations = try reader.read(UInt64.self, "retrain report iterations")
        let values = try (0..<3).map { _ in Double(bitPattern: try reader.read(UInt64.self, "retrain report norms")) }
        let converged = try reader.read(UInt8.self, "retrain report converged")
        guard method == expected, iterations <= UInt64(Int32.max), converged <= 1 else {
            throw WireError.malformed(
                "retrain report", expected: "\(expected.rawValue), fewer than 2³¹ iterations and a 0/1 flag",
                found: "\(method.rawValue), \(iterations) iterations, flag \(converged)")
        }
        return TrainingReport(
            method: method, iterations: Int(iterations), finalLoss: values[0], gradientNorm: values[1],
            initialGradientNorm: values[2], converged: converged == 1)
    }

    /// A 1 × `count` blob of finite values.
    private static func readParameters(_ reader: inout WireReader, count: Int) throws -> [Double] {
        let parameters = try WireMatrix.decode(try reader.readBlob("retrained parameters"), field: "parameters")
        guard parameters.rows == 1, parameters.columns == count else {
            throw WireError.malformed(
                "retrained parameters", expected: "1×\(count) (P of the model)",
                found: "\(parameters.rows)×\(parameters.columns)")
        }
        guard let bad = parameters.elements.firstIndex(where: { !$0.isFinite }) else { return parameters.elements }
        throw WireError.malformed(
            "retrained parameters", expected: "finite values", found: "\(parameters.elements[bad]) at \(bad)")
    }

    private static func readTrainingError(
        _ reader: inout WireReader, report: TrainingReport, parameterCount: Int
    ) throws -> TrainingError {
        let code = Int(try reader.read(UInt8.self, "retrain error code"))
        guard code < errorCodes.count else {
            throw WireError.malformed("retrain error code", expected: "0, 1 or 2", found: "\(code)")
        }
        let message = try reader.readText("retrain error message")
        let parameters: [Double]?
        switch try reader.read(UInt8.self, "retrain error iterate flag") {
        case 0: parameters = nil
        case 1: parameters = try readParameters(&reader, count: parameterCount)
        case let other: throw WireError.malformed("retrain error iterate flag", expected: "0 or 1", found: "\(other)")
        }
        try reader.expectEnd("retrain result")
        return TrainingError(errorCodes[code], message, report: report, parameters: parameters)
    }
}
