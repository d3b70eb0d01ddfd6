import Testing

@testable import Shared

@Suite("dot-shard products: invariant to shards and BLAS threads, strict about their input")
struct DotShardJobTests {
    /// Summation order alone separates the kernel from one plain DGEMM: a few ulps of sums of
    /// P products of standard normals (P ≤ 3000 here, sums of size ~√P·3).
    static let plainProductTolerance = 1e-11

    @Test(
        "The product does not depend on the BLAS thread count, even for shapes OpenBLAS would thread",
        arguments: [(3, 512, 2000), (2, 3, 70_000), (5, 64, 64)])
    func independentOfThreadCount(rowCount: Int, vectorCount: Int, length: Int) {
        let rows = RandomMatrices.normal(rows: rowCount, columns: length, seed: 1500)
        let vectors = RandomMatrices.normal(rows: vectorCount, columns: length, seed: 1501)
        let original = BLASRuntime.threadCount
        defer { BLASRuntime.setThreadCount(original) }
        BLASRuntime.setThreadCount(2)
        let threaded = DotShardJob.product(rows: rows, vectors: vectors)
        BLASRuntime.setThreadCount(1)
        let single = DotShardJob.product(rows: rows, vectors: vectors)
        #expect(bitDifferences(threaded, single) == 0)
        let plain = matrixProduct(rows, vectors, transposingB: true)
        #expect(threaded.maxAbsoluteDifference(to: plain) < Self.plainProductTolerance)
    }

    @Test("Shards of any size assemble to the product of all rows, bit for bit", arguments: [1, 3, 16, 97])
    func shardsAssembleExactly(shardSize: Int) throws {
        let problem = DotShardProblem(rowCount: 97, length: 3000, vectorCount: 40, seed: 1600)
        let context = WorkerContext(runID: .zero, digest: problem.context.digest, blobs: problem.context.blobs)
        var results: [UInt64: [UInt8]] = [:]
        for job in problem.jobs(shardSize: shardSize) {
            results[job.id] = try DotShardJob.handle(
                JobInput(jobID: job.id, kind: job.kind, payload: job.payload, context: context))
        }
        #expect(bitDifferences(try problem.assemble(results), problem.expected) == 0)
    }

    @Test("A payload whose rows do not match the vectors, or without the vectors blob, fails with its kind")
    func invalidInputsFailWithKind() throws {
        let problem = DotShardProblem(rowCount: 4, length: 5, vectorCount: 2, seed: 1700)
        let context = WorkerContext(runID: .zero, digest: problem.context.digest, blobs: problem.context.blobs)
        let wrongWidth = DotShardJob.payload(firstRow: 0, rows: RandomMatrices.normal(rows: 2, columns: 6, seed: 1))
        let input = JobInput(jobID: 0, kind: DotShardJob.kind, payload: wrongWidth, context: context)
        let widthError = try #require(throws: JobHandlerError.self) { try DotShardJob.handle(input) }
        #expect(widthError.kind == .invalidPayload)

        let truncated = JobInput(
            jobID: 0, kind: DotShardJob.kind, payload: Array(wrongWidth.prefix(20)), context: context)
        let truncationError = catchError { _ = try DotShardJob.handle(truncated) }
        #expect(JobHandlerError.wireFailure(for: truncationError).kind == .invalidPayload)

        let empty = WorkerContext(runID: .zero, digest: .zero, blobs: [])
        let missing = JobInput(jobID: 0, kind: DotShardJob.kind, payload: wrongWidth, context: empty)
        let missingError = try #require(throws: JobHandlerError.self) { try DotShardJob.handle(missing) }
        #expect(missingError.kind == .missingContext)
    }

    @Test("Assembly rejects results that overlap, overflow the rows or have the wrong width")
    func assemblyValidatesResults() throws {
        var assembly = DotShardAssembly(rowCount: 4, vectorCount: 2)
        let block = RandomMatrices.normal(rows: 2, columns: 2, seed: 1800)
        try assembly.insert(DotShardJob.payload(firstRow: 0, rows: block))
        #expect(throws: WireError.self) { try assembly.insert(DotShardJob.payload(firstRow: 1, rows: block)) }
        #expect(throws: WireError.self) { try assembly.insert(DotShardJob.payload(firstRow: 3, rows: block)) }
        #expect(throws: WireError.self) {
            try assembly.insert(
                DotShardJob.payload(firstRow: 2, rows: RandomMatrices.normal(rows: 2, columns: 3, seed: 2)))
        }
        try assembly.insert(DotShardJob.payload(firstRow: 2, rows: block))
        #expect(assembly.missingRows == 0)
    }
}

/// The error `body` throws, or a test failure marker when it throws nothing.
func catchError(_ body: () throws -> Void) -> Error {
    do {
        try body()
        return WireTestFailure("nothing was thrown")
    } catch {
        return error
    }
}
