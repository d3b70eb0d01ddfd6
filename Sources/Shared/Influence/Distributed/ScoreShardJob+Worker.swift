import Foundation
import Synchronization

extension ScoreShardJob {
    /// A worker's handler, with a cache of decoded contexts so that the model and the query
    /// columns are decoded once per run rather than once per shard.
    ///
    /// - Parameter datasets: where the worker keeps datasets it loads for `shard.dataset` runs.
    public static func makeHandler(datasets: WorkerDatasets) -> JobHandler {
        let cache = DecodedContextCache()
        return { input in try handle(input, cache: cache, datasets: datasets) }
    }

    /// Decodes the shard, scores it with `scoreShard`'s arithmetic, encodes the result.
    ///
    /// - Throws: `JobHandlerError` `.missingContext` without the blobs, `.invalidPayload` for a
    ///   shard that does not fit the model (task out of range, wrong shapes, invalid targets).
    static func handle(_ input: JobInput, cache: DecodedContextCache, datasets: WorkerDatasets) throws -> [UInt8] {
        let context = try cache.context(for: input.context)
        var reader = WireReader(input.payload)
        let shard = try readHeader(&reader)
        let (features, targets) = try ShardData.read(shard, from: &reader, context: input.context, datasets: datasets)
        try reader.expectEnd("score-shard payload")
        try validate(shard: shard, features: features, targets: targets, model: context.model)

        let dots = context.model.gradientDots(
            tasks: shard.tasks, features: features, targets: (0..<targets.rows).map { targets.row($0) },
            at: context.parameters, against: context.scoring.queryColumns)
        let scores = zip(shard.tasks, dots).map { scaleToScores($1, task: $0, context: context.scoring) }
        var writer = WireWriter()
        appendHeader(shard, to: &writer)
        writer.appendBlob(
            WireMatrix.encode(
                Matrix(
                    rows: shard.tasks.count * shard.examples.count, columns: context.scoring.queryColumns.columns,
                    elements: scores.flatMap(\.elements))))
        return writer.bytes
    }

    /// Checks a shard's rows and targets against the model.
    static func validate(shard: ScoreShard, features: Matrix, targets: Matrix, model: MultitaskModel) throws {
        let n = shard.examples.count
        guard shard.tasks.allSatisfy({ $0 >= 0 && $0 < model.taskCount }) else {
            throw JobHandlerError(
                .invalidPayload, "Shard tasks \(shard.tasks) are outside 0..<\(model.taskCount).")
        }
        guard features.rows == n, features.columns == model.featureCount else {
            throw JobHandlerError(
                .invalidPayload,
                "Shard inputs are \(features.rows)×\(features.columns); expected \(n)×\(model.featureCount).")
        }
        guard targets.rows == shard.tasks.count, targets.columns == n else {
            throw JobHandlerError(
                .invalidPayload,
                "Shard targets are \(targets.rows)×\(targets.columns); expected \(shard.tasks.count)×\(n).")
        }
        for (row, task) in shard.tasks.enumerated()
        where !targets.row(row).allSatisfy(model.networks[task].loss.accepts) {
            throw JobHandlerError(.invalidPayload, "Shard targets for task \(task) are not valid for its loss.")
        }
    }
}

extension ScoreShardJob {
    /// The model and its parameters ŵ from a run's `score.model` blob.
    ///
    /// - Throws: `JobHandlerError` `.missingContext` without the blob, `.invalidPayload` when it
    ///   does not describe a model or its parameter count disagrees.
    static func decodeModel(from context: WorkerContext) throws -> (MultitaskModel, [Double]) {
        var modelReader = WireReader(try context.blob(named: modelBlobName))
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(
                ModelDescription.self, from: Data(try modelReader.readText("score.model description").utf8))
        } catch let error as WireError {
            throw error
        } catch {
            throw JobHandlerError(.invalidPayload, "score.model does not describe a model: \(error)")
        }
        let model = try description.makeModel()
        let parameters = try WireMatrix.decode(try modelReader.readBlob("score.model parameters"), field: "parameters")
        guard parameters.elements.count == model.parameterCount else {
            throw JobHandlerError(
                .invalidPayload,
                "score.model has \(parameters.elements.count) parameters; the model needs \(model.parameterCount).")
        }
        return (model, parameters.elements)
    }
}

/// A run's context as a worker uses it.
struct DecodedContext: Sendable {
    let model: MultitaskModel
    let parameters: [Double]
    let scoring: ScoringContext
}

/// Decoded contexts by content digest; a worker serves one run, so this holds one entry.
final class DecodedContextCache: Sendable {
    private let entries = Mutex<[WireDigest: DecodedContext]>([:])

    func context(for context: WorkerContext) throws -> DecodedContext {
        if let cached = entries.withLock({ $0[context.digest] }) { return cached }
        let decoded = try decode(context)
        entries.withLock { $0[context.digest] = decoded }
        return decoded
    }

    private func decode(_ context: WorkerContext) throws -> DecodedContext {
        let (model, parameters) = try ScoreShardJob.decodeModel(from: context)
        return DecodedContext(
            model: model, parameters: parameters,
            scoring: try decodeScoring(try context.blob(named: ScoreShardJob.contextBlobName), model: model))
    }

    private func decodeScoring(_ bytes: [UInt8], model: MultitaskModel) throws -> ScoringContext {
        var reader = WireReader(bytes)
        let convention: RemovalConvention =
            try reader.read(UInt8.self, "score.context convention") == 0 ? .weightZero : .renormalised
        let columns = try WireMatrix.decode(try reader.readBlob("score.context queries"), field: "query columns")
        let counts = try WireMatrix.decode(try reader.readBlob("score.context counts"), field: "train counts")
        let means = try WireMatrix.decode(try reader.readBlob("score.context means"), field: "mean gradient dots")
        try reader.expectEnd("score.context")
        guard columns.rows == model.parameterCount, counts.rows == model.taskCount, counts.columns == 1,
            means.rows == model.taskCount, means.columns == columns.columns,
            counts.elements.allSatisfy({ $0 >= 1 && $0 == $0.rounded() })
        else {
            throw JobHandlerError(
                .invalidPayload,
                "score.context does not fit a model with P = \(model.parameterCount), K = \(model.taskCount).")
        }
        return ScoringContext(
            queryColumns: columns, convention: convention, trainCounts: counts.elements.map { Int($0) },
            meanGradientDots: means)
    }
}
