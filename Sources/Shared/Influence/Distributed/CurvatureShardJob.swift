import Foundation
import Synchronization

/// The `curvature-shard` job: one shard's share of a batch of curvature-vector products, so
/// that conjugate gradient's products H·v are summed over workers (method.md §8).
///
/// For directions v_1 … v_m (rows of V, `m × P`) a worker returns, for its shard S of rows,
/// Σ_{k ∈ tasks} Σ_{i ∈ S} s_ki (∇²ℓ_k(ŵ; x_i, y_ik))·v_r for every r, or the same with each
/// example's Gauss–Newton matrix Jᵢᵀ∇²ℓᵢJᵢ. With s_ki = c_ki/n_k (the objective's weights and
/// averaging) the shards' results sum to the data term of ∇²L(ŵ)·v; the penalty's term is
/// added by the coordinator, which holds the model.
///
/// Context blobs: `score.model` (as for `score-shard`: model description, then ŵ),
/// `curvature.kind` (UInt8: 0 Hessian, 1 Gauss–Newton) and, when workers load the dataset
/// themselves, `shard.dataset`.
///
/// Payload: the shard header and its data exactly as in a `score-shard` payload, then the
/// weights s_ki (tasks × n) and the directions V (m × P), each a `WireMatrix` blob. Result: the
/// `m × P` products as one `WireMatrix` blob.
public enum CurvatureShardJob {
    public static let kind = "curvature-shard"
    static let curvatureBlobName = "curvature.kind"

    // MARK: - Coordinator side

    /// The run context of a distributed product: the model blob and the curvature, with a run
    /// identifier derived from their digest.
    public static func runContext(
        model: MultitaskModel, parameters: [Double], curvature: Curvature,
        dataSource: ShardDataSource = .sentWithShards
    ) throws -> RunContext {
        let blobs =
            [
                ScoreShardJob.modelBlob(model: model, parameters: parameters),
                ContextBlob(name: curvatureBlobName, bytes: [curvature == .hessian ? 0 : 1]),
            ] + ShardData.contextBlobs(dataSource)
        let digest = RunContext(blobs: blobs).digest
        return RunContext(
            runID: try RunIdentifier(bytes: Array(digest.bytes.prefix(RunIdentifier.length))), blobs: blobs)
    }

    /// The part of a shard's payload that does not change between products: header, inputs,
    /// targets and weights s_ki = c_ki/n_k.
    static func shardPayload(
        _ shard: ScoreShard, objective: MultitaskObjective, dataSource: ShardDataSource = .sentWithShards
    ) -> [UInt8] {
        let weights = shard.tasks.flatMap { Array(objective.trainingScales(task: $0)[shard.examples]) }
        var writer = WireWriter()
        writer.appendBlob(
            WireMatrix.encode(Matrix(rows: shard.tasks.count, columns: shard.examples.count, elements: weights)))
        return ScoreShardJob.payload(shard, objective: objective, dataSource: dataSource) + writer.bytes
    }

    /// The directions' blob, appended to every shard payload of one product.
    static func directionsBlob(_ directions: Matrix) -> [UInt8] {
        var writer = WireWriter()
        writer.appendBlob(WireMatrix.encode(directions))
        return writer.bytes
    }

    /// Decodes a result.
    ///
    /// - Throws: `WireError.malformedMessage` when it does not decode to `directionCount × dimension`.
    static func decodeResult(_ bytes: [UInt8], directionCount: Int, dimension: Int) throws -> Matrix {
        var reader = WireReader(bytes)
        let products = try WireMatrix.decode(try reader.readBlob("curvature-shard products"), field: "products")
        try reader.expectEnd("curvature-shard result")
        guard products.rows == directionCount, products.columns == dimension else {
            throw WireError.malformed(
                "curvature-shard result", expected: "\(directionCount)×\(dimension) products",
                found: "\(products.rows)×\(products.columns)")
        }
        return products
    }

    // MARK: - Worker side

    /// A worker's handler, with the decoded model cached per context digest.
    ///
    /// - Parameter datasets: where the worker keeps datasets it loads for `shard.dataset` runs.
    public static func makeHandler(datasets: WorkerDatasets) -> JobHandler {
        let cache = Mutex<[WireDigest: CurvatureContext]>([:])
        return { input in
            let context: CurvatureContext
            if let cached = cache.withLock({ $0[input.context.digest] }) {
                context = cached
            } else {
                context = try CurvatureContext(input.context)
                cache.withLock { $0[input.context.digest] = context }
            }
            return try handle(input, context: context, datasets: datasets)
        }
    }

    /// Decodes the shard and the directions, computes the products, encodes them.
    ///
    /// - Throws: `WireError.malformedMessage` for a payload that does not decode;
    ///   `JobHandlerError` `.invalidPayload` for one that does not fit the model.
    static func handle(_ input: JobInput, context: CurvatureContext, datasets: WorkerDatasets) throws -> [UInt8] {
        var reader = WireReader(input.payload)
        let shard = try ScoreShardJob.readHeader(&reader)
        let (features, targets) = try ShardData.read(shard, from: &reader, context: input.context, datasets: datasets)
        let weights = try WireMatrix.decode(try reader.readBlob("curvature-shard weights"), field: "weights")
        let directions = try WireMatrix.decode(try reader.readBlob("curvature-shard directions"), field: "directions")
        try reader.expectEnd("curvature-shard payload")
        try ScoreShardJob.validate(shard: shard, features: features, targets: targets, model: context.model)
        try validate(weights: weights, directions: directions, like: targets, model: context.model)

        let products = products(
            shard: shard, features: features, targets: targets, weights: weights, directions: directions,
            context: context)
        var writer = WireWriter()
        writer.appendBlob(WireMatrix.encode(products))
        return writer.bytes
    }

    /// Σ over the shard's tasks and rows of the weighted curvature, applied to each direction.
    static func products(
        shard: ScoreShard, features: Matrix, targets: Matrix, weights: Matrix, directions: Matrix,
        context: CurvatureContext
    ) -> Matrix {
        let taskTargets = (0..<targets.rows).map { targets.row($0) }
        let scales = (0..<weights.rows).map { weights.row($0) }
        var products = Matrix(rows: directions.rows, columns: directions.columns)
        for row in 0..<directions.rows {
            var product = [Double](repeating: 0, count: directions.columns)
            context.model.accumulateCurvatureProduct(
                context.curvature, tasks: shard.tasks, features: features, targets: taskTargets, scales: scales,
                at: context.parameters, direction: directions.row(row), into: &product)
            let start = row * directions.columns
            products.elements.replaceSubrange(start..<(start + product.count), with: product)
        }
        return products
    }

    private static func validate(
        weights: Matrix, directions: Matrix, like targets: Matrix, model: MultitaskModel
    ) throws {
        guard weights.rows == targets.rows, weights.columns == targets.columns,
            weights.elements.allSatisfy({ $0.isFinite && $0 >= 0 })
        else {
            throw JobHandlerError(
                .invalidPayload,
                "Shard weights are \(weights.rows)×\(weights.columns); expected \(targets.rows)×\(targets.columns) "
                    + "finite non-negative values.")
        }
        guard directions.columns == model.parameterCount, directions.elements.allSatisfy(\.isFinite) else {
            throw JobHandlerError(
                .invalidPayload,
                "Directions have \(directions.columns) columns; the model has P = \(model.parameterCount), "
                    + "and every entry must be finite.")
        }
    }
}

/// A `curvature-shard` run's context as a worker uses it.
struct CurvatureContext: Sendable {
    let model: MultitaskModel
    let parameters: [Double]
    let curvature: Curvature

    /// - Throws: `JobHandlerError` for missing blobs or a curvature code other than 0 or 1.
    init(_ context: WorkerContext) throws {
        (model, parameters) = try ScoreShardJob.decodeModel(from: context)
        switch try context.blob(named: CurvatureShardJob.curvatureBlobName) {
        case [0]: curvature = .hessian
        case [1]: curvature = .gaussNewton
        case let code:
            throw JobHandlerError(.invalidPayload, "curvature.kind is \(code); expected [0] (Hessian) or [1].")
        }
    }
}
