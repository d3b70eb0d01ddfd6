import Synchronization

extension RetrainJob {
    /// A worker's handler, which rebuilds the objective once per run context rather than once
    /// per retraining.
    ///
    /// - Parameter datasets: where the worker keeps datasets it loads for `shard.dataset` runs.
    public static func makeHandler(datasets: WorkerDatasets) -> JobHandler {
        let cache = Mutex<(digest: WireDigest, problem: RetrainingProblem)?>(nil)
        return { input in
            let problem: RetrainingProblem
            if let cached = cache.withLock({ $0 }), cached.digest == input.context.digest {
                problem = cached.problem
            } else {
                problem = try RetrainingProblem(input.context, datasets: datasets)
                cache.withLock { $0 = (input.context.digest, problem) }
            }
            return try handle(input.payload, problem: problem)
        }
    }

    /// Decodes the request, checks it against the objective, retrains, encodes the outcome.
    ///
    /// - Throws: `WireError.malformedMessage` for a payload that does not decode;
    ///   `JobHandlerError` `.invalidPayload` for a request that does not fit the objective
    ///   (a task or an example out of range, a renormalised task left empty). A trainer that
    ///   stops short is not thrown: it is the status-1 result.
    static func handle(_ payload: [UInt8], problem: RetrainingProblem) throws -> [UInt8] {
        let request = try decodePayload(payload)
        do {
            try request.validate(against: problem.objective)
        } catch let error as UsageError {
            throw JobHandlerError(.invalidPayload, error.message)
        }
        do {
            return encodeResult(
                .success(try problem.trainer.train(request.applied(to: problem.objective), from: problem.start)))
        } catch let error as TrainingError {
            return encodeResult(.failure(error))
        }
    }

    /// The request a payload describes.
    ///
    /// - Throws: `WireError.malformedMessage` for an unknown convention, a lying count or
    ///   bytes after the last example.
    static func decodePayload(_ payload: [UInt8]) throws -> RetrainingRequest {
        var reader = WireReader(payload)
        let convention: RemovalConvention
        switch try reader.read(UInt8.self, "retrain convention") {
        case 0: convention = .weightZero
        case 1: convention = .renormalised
        case let other:
            throw WireError.malformed(
                "retrain convention", expected: "0 (weight-zero) or 1 (renormalised)", found: "\(other)")
        }
        let count = try reader.readCount("retrain removed examples", elementSize: 8)
        let removed = try (0..<count).map { _ in
            TrainExample(
                task: Int(try reader.read(UInt32.self, "removed task")),
                example: Int(try reader.read(UInt32.self, "removed example")))
        }
        try reader.expectEnd("retrain payload")
        return RetrainingRequest(removing: removed, convention: convention)
    }
}

/// A `retrain` run's context as a worker uses it: the objective rebuilt from the blobs, the
/// warm start and the trainer.
struct RetrainingProblem: Sendable {
    let objective: MultitaskObjective
    let start: [Double]
    let trainer: MultitaskTrainer

    /// Rebuilds the problem, checking every size against the model before anything is built.
    ///
    /// - Throws: `JobHandlerError` `.missingContext` without a blob, `.invalidPayload` for blobs
    ///   that do not decode or do not fit the model, and what `WorkerDatasets` throws when the
    ///   worker loads the data itself.
    init(_ context: WorkerContext, datasets: WorkerDatasets) throws {
        let (model, start) = try ScoreShardJob.decodeModel(from: context)
        let split: SplitData
        if context.blobs[RetrainJob.dataBlobName] != nil {
            split = try Self.decodeSplit(try context.blob(named: RetrainJob.dataBlobName), model: model)
        } else {
            split = try datasets.split(for: context)
        }
        try Self.check(split, model: model)
        let (regularization, weights) = try Self.decodeObjective(
            try context.blob(named: RetrainJob.objectiveBlobName), split: split, model: model)
        var objective: MultitaskObjective
        do {
            objective = try MultitaskObjective(
                model: model, dataset: Self.dataset(training: split, model: model), regularization: regularization)
        } catch let error as ModelError {
            throw JobHandlerError(.invalidPayload, "The training data does not fit the model: \(error.message)")
        }
        for (task, taskWeights) in weights.enumerated() { objective.setExampleWeights(taskWeights, task: task) }
        self.objective = objective
        self.start = start
        self.trainer = try Self.decodeTrainer(try context.blob(named: RetrainJob.trainerBlobName))
    }

    /// A dataset whose training split is `training` and whose other splits are empty: the
    /// objective reads nothing else, so it trains exactly as on the coordinator's dataset.
    private static func dataset(training: SplitData, model: MultitaskModel) -> MultitaskDataset {
        let empty = SplitData(
            features: Matrix(rows: 0, columns: model.featureCount), sourceIDs: [],
            tasks: Array(repeating: TaskExamples(rows: [], targets: []), count: model.taskCount))
        return MultitaskDataset(
            name: "retrain", layout: .disjoint, featureNames: (0..<model.featureCount).map { "x\($0)" },
            tasks: model.targetKinds.enumerated().map { TaskDescription(name: "task\($0)", targetKind: $1) },
            train: training, validation: empty, test: empty)
    }

    /// Checks the shapes `MultitaskDataset` and the objective take as preconditions.
    private static func check(_ split: SplitData, model: MultitaskModel) throws {
        guard split.features.columns == model.featureCount, split.tasks.count == model.taskCount else {
            throw JobHandlerError(
                .invalidPayload,
                "The training split has \(split.features.columns) features and \(split.tasks.count) tasks; the model "
                    + "reads \(model.featureCount) and has \(model.taskCount).")
        }
        for (task, examples) in split.tasks.enumerated()
        where examples.rows.contains(where: { $0 < 0 || $0 >= split.features.rows }) {
            throw JobHandlerError(
                .invalidPayload, "Task \(task) lists a row outside the \(split.features.rows) training inputs.")
        }
    }

    // MARK: - Blobs

    private static func decodeSplit(_ bytes: [UInt8], model: MultitaskModel) throws -> SplitData {
        var reader = WireReader(bytes)
        let features = try WireMatrix.decode(try reader.readBlob("retrain.data inputs"), field: "training inputs")
        let taskCount = try reader.readCount("retrain.data tasks", elementSize: 4)
        guard taskCount == model.taskCount else {
            throw JobHandlerError(
                .invalidPayload, "retrain.data has \(taskCount) tasks; the model has \(model.taskCount).")
        }
        let tasks = try (0..<taskCount).map { task in
            let count = try reader.readCount("retrain.data rows of task \(task)", elementSize: 4)
            let rows = try (0..<count).map { _ in Int(try reader.read(UInt32.self, "retrain.data row")) }
            let targets = try WireMatrix.decode(try reader.readBlob("retrain.data targets"), field: "targets")
            guard targets.rows == 1, targets.columns == count else {
                throw JobHandlerError(
                    .invalidPayload,
                    "Task \(task) has \(count) training rows but \(targets.rows)×\(targets.columns) targets.")
            }
            return TaskExamples(rows: rows, targets: targets.elements)
        }
        try reader.expectEnd("retrain.data")
        return SplitData(features: features, sourceIDs: Array(0..<features.rows), tasks: tasks)
    }

    private static func decodeObjective(
        _ bytes: [UInt8], split: SplitData, model: MultitaskModel
    ) throws -> (Regularization, [[Double]]) {
        var reader = WireReader(bytes)
        let regularization = Regularization(
            l2: Double(bitPattern: try reader.read(UInt64.self, "retrain.objective λ")),
            coupling: Double(bitPattern: try reader.read(UInt64.self, "retrain.objective μ")))
        let taskCount = try reader.readCount("retrain.objective tasks", elementSize: 8)
        guard taskCount == model.taskCount else {
            throw JobHandlerError(
                .invalidPayload, "retrain.objective has \(taskCount) tasks; the model has \(model.taskCount).")
        }
        let weights = try (0..<taskCount).map { task in
            let weights = try WireMatrix.decode(try reader.readBlob("retrain.objective weights"), field: "weights")
            let count = split.tasks[task].count
            guard weights.rows == 1, weights.columns == count, weights.elements.allSatisfy({ $0.isFinite && $0 >= 0 })
            else {
                throw JobHandlerError(
                    .invalidPayload,
                    "Task \(task) has \(count) training examples; its weights are \(weights.rows)×\(weights.columns) "
                        + "and must be finite and non-negative.")
            }
            return weights.elements
        }
        try reader.expectEnd("retrain.objective")
        return (regularization, weights)
    }

    private static func decodeTrainer(_ bytes: [UInt8]) throws -> MultitaskTrainer {
        var reader = WireReader(bytes)
        let newton = try readConvergence(&reader)
        let adamSteps = try reader.read(UInt64.self, "retrain.trainer Adam steps")
        let learningRate = Double(bitPattern: try reader.read(UInt64.self, "retrain.trainer learning rate"))
        let memory = try reader.read(UInt64.self, "retrain.trainer memory")
        let lbfgs = try readConvergence(&reader)
        try reader.expectEnd("retrain.trainer")
        guard adamSteps <= UInt64(Int32.max), learningRate.isFinite, learningRate > 0, memory >= 1,
            memory <= UInt64(Int32.max)
        else {
            throw JobHandlerError(
                .invalidPayload,
                "retrain.trainer holds \(adamSteps) Adam steps, learning rate \(learningRate) and memory \(memory); "
                    + "expected at most 2³¹ steps, a positive finite rate and a memory of 1 to 2³¹.")
        }
        return MultitaskTrainer(
            newton: NewtonTrainer(convergence: newton),
            adamLBFGS: AdamLBFGSTrainer(
                adamSteps: Int(adamSteps), learningRate: learningRate, memory: Int(memory), convergence: lbfgs))
    }

    private static func readConvergence(_ reader: inout WireReader) throws -> ConvergenceCriterion {
        let relative = Double(bitPattern: try reader.read(UInt64.self, "retrain.trainer relative tolerance"))
        let absolute = Double(bitPattern: try reader.read(UInt64.self, "retrain.trainer absolute tolerance"))
        let iterations = try reader.read(UInt64.self, "retrain.trainer iteration cap")
        guard relative.isFinite, relative >= 0, absolute.isFinite, absolute >= 0, iterations <= UInt64(Int32.max)
        else {
            throw JobHandlerError(
                .invalidPayload,
                "retrain.trainer holds tolerances \(relative), \(absolute) and an iteration cap of \(iterations); "
                    + "expected finite non-negative tolerances and at most 2³¹ iterations.")
        }
        return ConvergenceCriterion(
            relativeGradientTolerance: relative, absoluteGradientTolerance: absolute, maximumIterations: Int(iterations)
        )
    }
}
