import Foundation

/// The `score-shard` job: MTIF scores of one shard of training examples, computed by a worker
/// with the same `scoreShard` arithmetic as the single-process engine.
///
/// Context blobs (sent once per worker, cached by content hash):
/// - `score.model`: the model description (JSON: architecture, feature count, target kinds),
///   then the parameters ŵ as a 1 × P `WireMatrix`;
/// - `score.context`: the removal convention (UInt8: 0 weight-zero, 1 renormalised), the query
///   columns (P × Q), the train counts n_l (K × 1) and ḡ_lᵀq_j (K × Q), each a `WireMatrix` blob.
///
/// - `shard.dataset`: only when workers load the dataset themselves (`ShardData`).
///
/// Payload: the shard (task count UInt32, task indices UInt32, example range as two UInt64),
/// then its data (`ShardData`): the inputs (n × d) and targets (tasks × n) as `WireMatrix`
/// blobs, so that workers need no copy of the dataset, or a mark saying to take them from it.
/// Result: the shard header again, then the scores of every task stacked ((tasks·n) × Q).
public enum ScoreShardJob {
    public static let kind = "score-shard"
    static let modelBlobName = "score.model"
    static let contextBlobName = "score.context"

    // MARK: - Coordinator side

    /// The two context blobs for a run.
    public static func contextBlobs(
        model: MultitaskModel, parameters: [Double], context: ScoringContext,
        dataSource: ShardDataSource = .sentWithShards
    ) -> [ContextBlob] {
        var contextWriter = WireWriter()
        contextWriter.append(UInt8(context.convention == .weightZero ? 0 : 1))
        contextWriter.appendBlob(WireMatrix.encode(context.queryColumns))
        let counts = context.trainCounts.map(Double.init)
        contextWriter.appendBlob(WireMatrix.encode(Matrix(rows: counts.count, columns: 1, elements: counts)))
        contextWriter.appendBlob(WireMatrix.encode(context.meanGradientDots))
        return [
            modelBlob(model: model, parameters: parameters),
            ContextBlob(name: contextBlobName, bytes: contextWriter.bytes),
        ] + ShardData.contextBlobs(dataSource)
    }

    /// The `score.model` blob: the model description, then ŵ.
    static func modelBlob(model: MultitaskModel, parameters: [Double]) -> ContextBlob {
        var writer = WireWriter()
        writer.appendText(ModelDescription(model).json)
        writer.appendBlob(WireMatrix.encode(Matrix(rows: 1, columns: parameters.count, elements: parameters)))
        return ContextBlob(name: modelBlobName, bytes: writer.bytes)
    }

    /// One job per shard of the plan; the job id is the shard's position in the plan.
    public static func jobs(
        plan: [ScoreShard], objective: MultitaskObjective, dataSource: ShardDataSource = .sentWithShards
    ) -> [JobSpecification] {
        plan.enumerated().map { index, shard in
            JobSpecification(
                id: UInt64(index), kind: kind, payload: payload(shard, objective: objective, dataSource: dataSource))
        }
    }

    /// The payload of one shard: its header and data.
    static func payload(_ shard: ScoreShard, objective: MultitaskObjective, dataSource: ShardDataSource) -> [UInt8] {
        var writer = WireWriter()
        appendHeader(shard, to: &writer)
        ShardData.append(shard, objective: objective, source: dataSource, to: &writer)
        return writer.bytes
    }

    /// Decodes a result into its shard and one scores block per task.
    ///
    /// - Throws: as `withResult(_:queryCount:_:)`.
    public static func decodeResult(_ bytes: [UInt8], queryCount: Int) throws -> (ScoreShard, [Matrix]) {
        try withResult(bytes, queryCount: queryCount) { shard, scores in
            let block = shard.examples.count * queryCount
            let blocks = shard.tasks.indices.map { index in
                let elements = [Double](unsafeUninitializedCapacity: block) { buffer, count in
                    let start = index * block * MemoryLayout<Double>.size
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(
                            rebasing: scores[start..<(start + block * MemoryLayout<Double>.size)]))
                    count = block
                }
                return Matrix(rows: shard.examples.count, columns: queryCount, elements: elements)
            }
            return (shard, blocks)
        }
    }

    /// Checks a result and lends `body` its shard and the bytes of its scores, without copying.
    ///
    /// The bytes are `(tasks · n) × Q` doubles, little-endian, row-major, the shard's tasks one
    /// after another: task `shard.tasks[t]`'s n rows start at byte `t · n · Q · 8`. They need
    /// not be aligned for `Double`; copy them (`copyMemory`, `pwrite`) rather than rebinding.
    ///
    /// - Throws: `WireError` when the result does not decode or its shapes disagree with the
    ///   header and `queryCount`.
    public static func withResult<Result>(
        _ bytes: [UInt8], queryCount: Int, _ body: (ScoreShard, UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        var reader = WireReader(bytes)
        let shard = try readHeader(&reader)
        let blob = try reader.skipBlob("score-shard scores")
        try reader.expectEnd("score-shard result")
        let (rows, columns) = try WireMatrix.dimensions(of: bytes, offset: blob.lowerBound, field: "score-shard scores")
        let n = shard.examples.count
        guard rows == n * shard.tasks.count, columns == queryCount else {
            throw WireError.malformed(
                "score-shard result", expected: "\(n * shard.tasks.count)×\(queryCount) scores",
                found: "\(rows)×\(columns)")
        }
        return try bytes.withUnsafeBytes { raw in
            try body(shard, UnsafeRawBufferPointer(rebasing: raw[(blob.lowerBound + WireMatrix.prefixLength)...]))
        }
    }

    // MARK: - Shard header

    static func appendHeader(_ shard: ScoreShard, to writer: inout WireWriter) {
        writer.append(UInt32(shard.tasks.count))
        for task in shard.tasks { writer.append(UInt32(task)) }
        writer.append(UInt64(shard.examples.lowerBound))
        writer.append(UInt64(shard.examples.upperBound))
    }

    static func readHeader(_ reader: inout WireReader) throws -> ScoreShard {
        let count = try reader.readCount("score-shard task count", elementSize: 4)
        guard count > 0 else {
            throw WireError.malformed("score-shard header", expected: "at least one task", found: "none")
        }
        let tasks = try (0..<count).map { _ in Int(try reader.read(UInt32.self, "score-shard task")) }
        let lower = try reader.read(UInt64.self, "score-shard first example")
        let upper = try reader.read(UInt64.self, "score-shard end example")
        guard lower <= upper, upper <= UInt64(Int.max) else {
            throw WireError.malformed("score-shard examples", expected: "first ≤ end", found: "\(lower)..<\(upper)")
        }
        return ScoreShard(tasks: tasks, examples: Int(lower)..<Int(upper))
    }
}

/// The part of a model a worker needs to rebuild it: architecture, inputs, target kinds.
struct ModelDescription: Codable {
    var architecture: ModelArchitecture
    var featureCount: Int
    var targetKinds: [String]

    init(_ model: MultitaskModel) {
        architecture = model.architecture
        featureCount = model.featureCount
        targetKinds = model.targetKinds.map(\.description)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Rebuilds the model.
    ///
    /// - Throws: `JobHandlerError` (invalid payload) for JSON that does not describe a model.
    func makeModel() throws -> MultitaskModel {
        let kinds = try targetKinds.map { text in
            do { return try TargetKind(parsing: text) } catch {
                throw JobHandlerError(.invalidPayload, "Unknown target kind '\(text)' in score.model.")
            }
        }
        return try MultitaskModel(architecture: architecture, featureCount: featureCount, targetKinds: kinds)
    }
}
