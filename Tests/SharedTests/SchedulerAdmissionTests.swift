import Synchronization
import Testing

@testable import Shared

@Suite("Scheduler admission: protocol version, run, context, job kinds and CURVE keys")
struct SchedulerAdmissionTests {
    /// A worker waiting for a coordinator that will never answer gives up after this.
    static let shortTimeout = Duration.seconds(1)

    @Test("A hello in another protocol version is refused with both versions named; the run goes on")
    func wrongProtocolVersionRefused() async throws {
        let problem = DotShardProblem(rowCount: 12, length: 3, vectorCount: 2, seed: 1000)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://version", minimumWorkers: 1), context: problem.context,
            jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let stranger = ThreadOutcome("test.version") {
            let peer = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            let hello = WorkerHello(
                workerID: "future", jobKinds: [DotShardJob.kind], processorCount: 1, cachedBlobs: [])
            try peer.send(.hello(hello), version: WireProtocol.version + 1)
            return try peer.receive().message
        }
        let reply = try await stranger.value()
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "current", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        _ = try await worker.value()

        guard case .refuse(let reason) = reply else { throw WireTestFailure("expected a refusal, got \(reply)") }
        #expect(
            reason.contains("version \(WireProtocol.version + 1)") && reason.contains("version \(WireProtocol.version)")
        )
        #expect(outcome.statistics.refusedPeers == 1 && outcome.statistics.completedJobs == 3)
    }

    @Test("A worker pinned to another context or run, or lacking a job kind, is refused and says why")
    func mismatchedWorkersRefused() async throws {
        let problem = DotShardProblem(rowCount: 12, length: 3, vectorCount: 2, seed: 1100)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://mismatch"), context: problem.context,
            jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let otherContext = RunContext(blobs: [ContextBlob(name: DotShardJob.vectorsBlobName, bytes: [1, 2, 3])])
        let pinned = WireHarness.startWorker(
            endpoint: endpoint, id: "pinned", zeroMQ: zeroMQ, expectedContextDigest: otherContext.digest)
        let otherRun = ThreadOutcome("test.other-run") {
            let configuration = WorkerConfiguration(
                endpoint: endpoint, workerID: "other-run", coordinatorTimeout: WireHarness.workerTimeout,
                expectedRunID: .random())
            return try JobWorker(configuration: configuration, zeroMQ: zeroMQ).run()
        }
        let unable = WireHarness.startWorker(
            endpoint: endpoint, id: "unable", zeroMQ: zeroMQ, handlers: JobHandlerRegistry())
        let refusals = try await [pinned, otherRun, unable].asyncMap { worker in
            let result = try await worker.result()
            return try #require(throws: WireError.self) { try result.get() }
        }
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "good", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        _ = try await worker.value()

        #expect(refusals.allSatisfy { $0.code == .refused })
        #expect(refusals[0].message.contains("expects context \(otherContext.digest)"))
        #expect(refusals[1].message.contains("pinned to run"))
        #expect(refusals[2].message.contains("no handler for job kinds dot-shard"))
        #expect(outcome.statistics.refusedPeers == 3 && outcome.statistics.jobsPerWorker == ["good": 3])
    }

    @Test("A message from a peer that never said hello is refused")
    func messageWithoutHelloRefused() async throws {
        let problem = DotShardProblem(rowCount: 4, length: 3, vectorCount: 2, seed: 1200)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://no-hello", minimumWorkers: 1), context: problem.context,
            jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let rude = ThreadOutcome("test.no-hello") {
            let peer = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            try peer.send(.jobRequest)
            return try peer.receive().message
        }
        let reply = try await rude.value()
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "polite", zeroMQ: zeroMQ)
        _ = try await run.value()
        _ = try await worker.value()
        #expect(
            reply == .refuse(reason: "This coordinator has no session for you; say hello first (was it restarted?)."))
    }

    @Test("With CURVE, an authorised worker completes the run; a worker with another key gets no context and no job")
    func curveAdmitsOnlyAuthorisedKeys() async throws {
        let problem = DotShardProblem(rowCount: 40, length: 16, vectorCount: 3, seed: 1300)
        let server = try CurveKeyPair.generate()
        let member = try CurveKeyPair.generate()
        let intruder = try CurveKeyPair.generate()
        let security = CurveServerSecurity(secretKey: server.secretKey, authorizedClients: [member.publicKey])
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", security: security), context: problem.context,
            jobs: problem.jobs(shardSize: 8))

        let intruderCalls = CallCounter()
        let counting = JobHandlerRegistry([
            DotShardJob.kind: { input in
                intruderCalls.increment()
                return try DotShardJob.handle(input)
            }
        ])
        let cache = ContextCache()
        let rejected = ThreadOutcome("test.intruder") {
            let configuration = WorkerConfiguration(
                endpoint: endpoint, workerID: "intruder", coordinatorTimeout: Self.shortTimeout,
                security: CurveClientSecurity(serverKey: server.publicKey, keyPair: intruder))
            return try JobWorker(configuration: configuration, handlers: counting, cache: cache).run()
        }
        let rejection = try await rejected.result()
        let intruderError = try #require(throws: WireError.self) { try rejection.get() }
        let admitted = WireHarness.startWorker(
            endpoint: endpoint, id: "member",
            security: CurveClientSecurity(serverKey: server.publicKey, keyPair: member))
        let outcome = try await run.value()
        _ = try await admitted.value()

        #expect(intruderError.code == .timeout)
        #expect(intruderCalls.count == 0 && cache.digests.isEmpty)
        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        #expect(outcome.statistics.workersJoined == 1 && outcome.statistics.jobsPerWorker == ["member": 5])
        let authentication = try #require(outcome.statistics.authentication)
        #expect(authentication.denied >= 1 && authentication.accepted >= 1)
    }
}

/// Counts calls from any thread.
final class CallCounter: Sendable {
    private let calls = Mutex(0)

    func increment() { calls.withLock { $0 += 1 } }

    var count: Int { calls.withLock { $0 } }
}
