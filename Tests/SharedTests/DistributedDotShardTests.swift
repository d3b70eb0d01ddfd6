import Testing

@testable import Shared

@Suite("Distributed dot-shard equals the single-process product")
struct DistributedDotShardTests {
    /// The row-by-row product against one plain DGEMM over all rows: only the summation order
    /// of P = 60 terms of size ~N(0,1) differs, so a few ulps of the largest partial sum.
    static let plainProductTolerance = 1e-12

    @Test(
        "Scheduler and inproc workers: the assembled product equals the single-process one bit for bit",
        arguments: [1, 2, 4], [1, 7, 32, 150])
    func inprocEqualsSingleProcess(workerCount: Int, shardSize: Int) async throws {
        let problem = DotShardProblem(rowCount: 150, length: 60, vectorCount: 9, seed: 100)
        let zeroMQ = try ZeroMQContext()
        let endpoint = "inproc://dot-shard-\(workerCount)-\(shardSize)"
        let (bound, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: endpoint, minimumWorkers: workerCount), context: problem.context,
            jobs: problem.jobs(shardSize: shardSize), zeroMQ: zeroMQ)
        let workers = (0..<workerCount).map {
            WireHarness.startWorker(endpoint: bound, id: "w\($0)", zeroMQ: zeroMQ)
        }
        let outcome = try await run.value()
        let summaries = try await workers.asyncMap { try await $0.value() }

        let product = try problem.assemble(outcome.results)
        #expect(bitDifferences(product, problem.expected) == 0)
        let plain = matrixProduct(problem.rows, problem.vectors, transposingB: true)
        #expect(product.maxAbsoluteDifference(to: plain) < Self.plainProductTolerance)
        #expect(outcome.callbackCounts.values.allSatisfy { $0 == 1 })
        #expect(outcome.statistics.completedJobs == problem.jobs(shardSize: shardSize).count)
        #expect(summaries.map(\.jobsCompleted).reduce(0, +) == outcome.statistics.completedJobs)
        #expect(summaries.allSatisfy { $0.shutdownReason == "The run is complete." && $0.blobsReceived == 1 })
        #expect(outcome.statistics.redispatchCount == 0 && outcome.statistics.droppedMessages == 0)
    }

    @Test("Scheduler and workers over tcp loopback: the assembled product equals the single-process one bit for bit")
    func tcpEqualsSingleProcess() async throws {
        let problem = DotShardProblem(rowCount: 97, length: 300, vectorCount: 5, seed: 200)
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", minimumWorkers: 2), context: problem.context,
            jobs: problem.jobs(shardSize: 13))
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix(":0"))
        let workers = (0..<2).map { WireHarness.startWorker(endpoint: endpoint, id: "tcp\($0)") }
        let outcome = try await run.value()
        for worker in workers { _ = try await worker.value() }

        let product = try problem.assemble(outcome.results)
        #expect(bitDifferences(product, problem.expected) == 0)
        #expect(outcome.statistics.bytesReceived > 97 * 5 * 8)
        #expect(outcome.statistics.bytesSent > 97 * 300 * 8 + 2 * 5 * 300 * 8)
        #expect(outcome.statistics.workersJoined == 2)
    }

    @Test("A worker with the context already cached is not sent it again")
    func cachedContextIsNotResent() async throws {
        let problem = DotShardProblem(rowCount: 20, length: 8, vectorCount: 3, seed: 300)
        let cache = ContextCache()
        for round in 0..<2 {
            let (endpoint, run) = try WireHarness.startScheduler(
                WireHarness.configuration(endpoint: "tcp://127.0.0.1:0"), context: problem.context,
                jobs: problem.jobs(shardSize: 5))
            let worker = ThreadOutcome("test.cached") {
                try JobWorker(
                    configuration: WorkerConfiguration(
                        endpoint: endpoint, coordinatorTimeout: WireHarness.workerTimeout),
                    cache: cache
                ).run()
            }
            _ = try await run.value()
            let summary = try await worker.value()
            #expect(summary.blobsReceived == (round == 0 ? 1 : 0))
        }
    }
}

extension Array {
    func asyncMap<Mapped>(_ transform: (Element) async throws -> Mapped) async rethrows -> [Mapped] {
        var mapped: [Mapped] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
