import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite("Scheduler rounds: one pool of workers across several rounds of jobs")
struct SchedulerRoundTests {
    /// Jobs of round `round`: the problem's shards with ids offset so that no id repeats, each
    /// payload given as two parts split at a different place per job, as conjugate gradient's
    /// rounds give theirs (shard, then directions): the workers must receive them joined.
    static func roundJobs(_ problem: DotShardProblem, round: Int) -> [JobSpecification] {
        problem.jobs(shardSize: 10).map {
            let bytes = $0.payload
            let split = Int($0.id * 7 + UInt64(round)) % (bytes.count + 1)
            return JobSpecification(
                id: UInt64(round * 1000) + $0.id, kind: $0.kind,
                payloadParts: [Array(bytes[..<split]), Array(bytes[split...])])
        }
    }

    @Test("A job's payload is its parts joined in order; equality does not depend on where they split")
    func payloadPartsJoinInOrder() {
        let parts = JobSpecification(id: 3, kind: "k", payloadParts: [[1, 2], [], [3, 4, 5]])
        #expect(parts.payload == [1, 2, 3, 4, 5])
        #expect(parts == JobSpecification(id: 3, kind: "k", payload: [1, 2, 3, 4, 5]))
        #expect(parts == JobSpecification(id: 3, kind: "k", payloadParts: [[1], [2, 3, 4], [5]]))
        #expect(parts != JobSpecification(id: 3, kind: "k", payloadParts: [[3, 4, 5], [1, 2]]))
        #expect(parts != JobSpecification(id: 4, kind: "k", payload: [1, 2, 3, 4, 5]))
    }

    @Test("Three rounds on two workers, one frozen in round 2, each give exact results; its late result is ignored")
    func frozenWorkerInSecondRoundStillFinishesEveryRound() async throws {
        let problem = DotShardProblem(rowCount: 60, length: 20, vectorCount: 4, seed: 900)
        let zeroMQ = try ZeroMQContext()
        let configuration = WireHarness.configuration(
            endpoint: "inproc://rounds", jobTimeLimit: .milliseconds(600), minimumWorkers: 2)
        let thaw = Latch()
        let thawed = Latch()
        let froze = OnceFlag()
        var freezing = JobHandlerRegistry()
        freezing.register(DotShardJob.kind) { input in
            guard input.jobID >= 2000, input.jobID < 3000, froze.claim() else { return try DotShardJob.handle(input) }
            _ = thaw.waitBlocking(within: .seconds(15))
            defer { thawed.open() }
            return try DotShardJob.handle(input)
        }
        let endpoint = Mutex<String?>(nil)
        let bound = Latch()
        let rounds = ThreadOutcome("test.rounds") {
            let scheduler = try JobScheduler(
                configuration: configuration, context: problem.context, roundJobKinds: [DotShardJob.kind],
                zeroMQ: zeroMQ, logger: Logger(label: "test.scheduler"))
            endpoint.withLock { $0 = scheduler.endpoint }
            bound.open()
            return try Self.runThreeRounds(scheduler, problem: problem, thaw: thaw, thawed: thawed)
        }
        #expect(await bound.wait(within: .seconds(10)))
        let address = try #require(endpoint.withLock { $0 })
        let frozen = WireHarness.startWorker(endpoint: address, id: "frozen", zeroMQ: zeroMQ, handlers: freezing)
        let healthy = WireHarness.startWorker(endpoint: address, id: "healthy", zeroMQ: zeroMQ)
        let (results, statistics) = try await rounds.value()
        _ = try await frozen.value()
        _ = try await healthy.value()

        #expect(froze.isClaimed)
        for round in 1...3 {
            #expect(bitDifferences(try problem.assemble(results[round - 1]), problem.expected) == 0)
        }
        #expect(statistics.redispatchCount >= 1)
        #expect(statistics.duplicateResults >= 1)
        #expect(statistics.refusedPeers == 0 && statistics.droppedMessages == 0)
        #expect(statistics.completedJobs == 18 && statistics.jobCount == 18)
    }

    /// Runs rounds 1–3 on the calling thread; between rounds 2 and 3 lets the frozen handler go
    /// and waits until it has returned and its late result has had time to cross the inproc
    /// link, so that round 3 reads it first (however loaded the machine is).
    static func runThreeRounds(
        _ scheduler: JobScheduler, problem: DotShardProblem, thaw: Latch, thawed: Latch
    ) throws -> ([[UInt64: [UInt8]]], SchedulerStatistics) {
        var results: [[UInt64: [UInt8]]] = []
        for round in 1...3 {
            if round == 3 {
                thaw.open()
                _ = thawed.waitBlocking(within: .seconds(10))
                Thread.sleep(forTimeInterval: 0.3)
            }
            var roundResults: [UInt64: [UInt8]] = [:]
            try scheduler.runRound(jobs: roundJobs(problem, round: round)) { job in
                precondition(roundResults[job.jobID] == nil, "each job reaches the caller once")
                roundResults[job.jobID] = job.payload
            }
            results.append(roundResults)
        }
        return (results, scheduler.finish())
    }
}
