/// The `dot-shard` job: products of a shard of rows with a set of vectors held in the context.
///
/// The context blob `dot-shard.vectors` holds V, a Q × P matrix (one vector per row). A job's
/// payload holds a shard X of n consecutive rows (n × P) and the index of its first row; the
/// result holds the same index and the n × Q block X·Vᵀ. Assembled by first row, the blocks
/// form the N × Q product of all rows with the vectors: the shape of scoring, where rows are
/// per-example gradients and vectors are inverse-Hessian products.
///
/// Equality with one process is exact because each product comes from a DGEMM whose shape
/// depends only on Q and P: one row at a time (1 × b × P) against fixed blocks of b vectors,
/// whatever the shard. Two measured hazards rule out the obvious calls (OpenBLAS 0.3.21):
/// - One DGEMM over a block of rows: its kernels treat rows at block edges differently, and
///   results for the same row differed in the last bits between shard sizes (up to 1.4e-13
///   with P = 2500).
/// - One 1 × Q × P DGEMM per row: above m·n·k = 262 144 OpenBLAS splits it over threads, and
///   the split changed the last bits between a 2-thread coordinator and 1-thread workers
///   (9.8e-14 with Q = 512, P = 2000). Blocks keep b·P ≤ 65 536, below any threading threshold
///   OpenBLAS is built with, so results do not depend on the BLAS thread count.
///
/// Results are still bit-identical only between processes using the same OpenBLAS core type.
///
/// Payload: first row (`UInt64`), then the shard as a `WireMatrix`. Result: first row
/// (`UInt64`), then the n × Q block as a `WireMatrix`. All little-endian.
public enum DotShardJob {
    /// The job kind, as the registry and the scheduler name it.
    public static let kind = "dot-shard"
    /// The context blob holding the vectors.
    public static let vectorsBlobName = "dot-shard.vectors"

    /// The context blob for `vectors` (Q × P, one vector per row).
    public static func contextBlob(vectors: Matrix) -> ContextBlob {
        ContextBlob(name: vectorsBlobName, bytes: WireMatrix.encode(vectors))
    }

    /// Jobs covering every row of `rows` in shards of at most `shardSize` rows; job ids count
    /// shards from `firstJobID`.
    ///
    /// - Precondition: `shardSize > 0`.
    public static func jobs(rows: Matrix, shardSize: Int, firstJobID: UInt64 = 0) -> [JobSpecification] {
        precondition(shardSize > 0, "Shards hold at least one row")
        return stride(from: 0, to: rows.rows, by: shardSize).enumerated().map { shard, start in
            let block = rows.rows(in: start..<min(start + shardSize, rows.rows))
            return JobSpecification(
                id: firstJobID + UInt64(shard), kind: kind, payload: payload(firstRow: start, rows: block))
        }
    }

    /// The payload for a shard starting at global row `firstRow`.
    public static func payload(firstRow: Int, rows: Matrix) -> [UInt8] {
        var writer = WireWriter(capacity: 8)
        writer.append(UInt64(firstRow))
        return writer.bytes + WireMatrix.encode(rows)
    }

    /// X·Vᵀ for rows X (n × P) and vectors V (Q × P), by row and by fixed blocks of vectors.
    ///
    /// This is the function every worker runs, so the single-process product of all rows equals
    /// the assembled distributed one bit for bit.
    ///
    /// - Precondition: `rows.columns == vectors.columns`.
    /// - Complexity: 2·n·Q·P floating-point operations.
    public static func product(rows: Matrix, vectors: Matrix) -> Matrix {
        precondition(rows.columns == vectors.columns, "Rows have \(rows.columns) columns, vectors \(vectors.columns)")
        let elements = rows.elements.withUnsafeBufferPointer { x in
            vectors.elements.withUnsafeBufferPointer { v in
                productElements(
                    rows: x, rowCount: rows.rows, vectors: v, vectorCount: vectors.rows, length: rows.columns)
            }
        }
        return Matrix(rows: rows.rows, columns: vectors.rows, elements: elements)
    }

    /// The largest m·n·k of one DGEMM call here: OpenBLAS runs calls up to its SMP threshold
    /// (65 536 × GEMM_MULTITHREAD_THRESHOLD) on one thread, so they split the same way whatever
    /// the thread count.
    static let singleThreadedCallSize = 65_536

    static func productElements(
        rows x: UnsafeBufferPointer<Double>, rowCount n: Int, vectors v: UnsafeBufferPointer<Double>,
        vectorCount q: Int, length p: Int
    ) -> [Double] {
        var result = [Double](repeating: 0, count: n * q)
        guard n > 0, q > 0, p > 0, let xBase = x.baseAddress, let vBase = v.baseAddress else { return result }
        let block = min(q, max(1, singleThreadedCallSize / p))
        result.withUnsafeMutableBufferPointer { c in
            for row in 0..<n {
                for first in stride(from: 0, to: q, by: block) {
                    DenseKernels.multiply(
                        transposingA: false, transposingB: true, m: 1, n: min(block, q - first), k: p, alpha: 1,
                        a: xBase + row * p, lda: p, b: vBase + first * p, ldb: p, beta: 0,
                        c: c.baseAddress! + row * q + first, ldc: q)
                }
            }
        }
        return result
    }

    /// The worker's handler: decodes the shard, multiplies, encodes the block.
    ///
    /// - Throws: `JobHandlerError` of kind `missingContext` without the vectors blob;
    ///   `invalidPayload` (through `WireError.malformedMessage`) for a payload that does not
    ///   decode or whose rows do not match the vectors' length.
    @Sendable
    public static func handle(_ input: JobInput) throws -> [UInt8] {
        let vectorBytes = try input.context.blob(named: vectorsBlobName)
        var reader = WireReader(input.payload)
        let firstRow = try reader.read(UInt64.self, "dot-shard first row")
        return try WireMatrix.withElements(of: vectorBytes, field: "dot-shard vectors") { q, p, v in
            try WireMatrix.withElements(of: input.payload, offset: 8, field: "dot-shard rows") { n, columns, x in
                guard columns == p else {
                    throw JobHandlerError(
                        .invalidPayload, "The shard's rows have \(columns) columns; the vectors have \(p).")
                }
                let block = productElements(rows: x, rowCount: n, vectors: v, vectorCount: q, length: p)
                return payload(firstRow: Int(firstRow), rows: Matrix(rows: n, columns: q, elements: block))
            }
        }
    }
}

/// Puts `dot-shard` results together into the N × Q product, checking that they fit.
public struct DotShardAssembly: Sendable {
    public private(set) var product: Matrix
    private var isFilled: [Bool]
    /// Rows not yet covered by a result.
    public private(set) var missingRows: Int

    /// An empty N × Q product.
    public init(rowCount: Int, vectorCount: Int) {
        product = Matrix(rows: rowCount, columns: vectorCount)
        isFilled = Array(repeating: false, count: rowCount)
        missingRows = rowCount
    }

    /// Copies one result's block into place.
    ///
    /// - Throws: `WireError.malformedMessage` when the result does not decode, has the wrong
    ///   number of columns, reaches past the last row, or covers a row already filled.
    public mutating func insert(_ result: [UInt8]) throws {
        var reader = WireReader(result)
        let firstRow = try reader.read(UInt64.self, "dot-shard result first row")
        let block = try WireMatrix.decode(Array(result[8...]), field: "dot-shard result")
        let (end, overflow) = firstRow.addingReportingOverflow(UInt64(block.rows))
        guard block.columns == product.columns, !overflow, end <= UInt64(product.rows) else {
            throw WireError.malformed(
                "dot-shard result", expected: "rows within 0..<\(product.rows) and \(product.columns) columns",
                found: "\(block.rows)×\(block.columns) from row \(firstRow)")
        }
        let start = Int(firstRow)
        guard isFilled[start..<Int(end)].allSatisfy({ !$0 }) else {
            throw WireError.malformed("dot-shard result", expected: "new rows", found: "rows already filled")
        }
        product.elements.replaceSubrange(
            (start * product.columns)..<(Int(end) * product.columns), with: block.elements)
        for row in start..<Int(end) { isFilled[row] = true }
        missingRows -= block.rows
    }
}
