import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite("Reconnection: a worker whose connection libzmq re-establishes goes on, or greets again")
struct ReconnectionTests {
    /// A result for scripted peers: the scheduler hands payloads to its caller without reading them.
    static let payload: [UInt8] = [7, 7, 7]

    // MARK: - The coordinator's side

    @Test("A peer reconnecting under its identity while its old connection is open keeps its session and lease")
    func reconnectionKeepsSessionAndLease() async throws {
        let problem = DotShardProblem(rowCount: 4, length: 3, vectorCount: 2, seed: 1400)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://handover", lease: .seconds(5), minimumWorkers: 1),
            context: problem.context, jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let identity = Array("steady-worker".utf8)
        let peer = ThreadOutcome("test.handover") { () -> [UInt64] in
            let first = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ, routingID: identity)
            try first.join(workerID: "steady")
            try first.send(.jobRequest)
            let assignment = try first.assignment()
            // The first connection stays open, as a half-open one would after a network failure.
            let second = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ, routingID: identity)
            (second.runID, second.contextDigest) = (first.runID, first.contextDigest)
            try second.send(.heartbeat(jobIDs: [assignment.jobID]))
            guard case .heartbeat(let held) = try second.receive(.heartbeat).message else { return [] }
            try second.send(
                .jobResult(JobResultMessage(jobID: assignment.jobID, computeTime: .zero, payload: Self.payload)))
            return withExtendedLifetime(first) { held }
        }
        let held = try await peer.value()
        let outcome = try await run.value()

        #expect(held.count == 1)
        #expect(outcome.results.count == 1 && outcome.results.values.allSatisfy { $0 == Self.payload })
        #expect(outcome.statistics.jobsPerWorker == ["steady": 1] && outcome.statistics.refusedPeers == 0)
        #expect(outcome.statistics.redispatchCount == 0)
    }

    @Test("A job request from a worker holding a lease is ignored; once the lease ran out, a request is served")
    func requestWhileHoldingLeaseIgnored() async throws {
        let problem = DotShardProblem(rowCount: 8, length: 3, vectorCount: 2, seed: 1500)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://repeated-request", minimumWorkers: 1),
            context: problem.context, jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let peer = ThreadOutcome("test.repeated-request") { () -> (jobIDs: [UInt64], extraAssignment: Bool) in
            let peer = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            try peer.join(workerID: "repeating")
            try peer.send(.jobRequest)
            let first = try peer.assignment()
            try peer.send(.jobRequest)
            let extra = try? peer.receive(.jobAssignment, timeout: .milliseconds(300))
            try peer.waitUntilNoJobIsLeased()
            try peer.send(.jobRequest)
            let retried = try peer.assignment()
            try peer.send(.jobResult(JobResultMessage(jobID: retried.jobID, computeTime: .zero, payload: Self.payload)))
            try peer.send(.jobRequest)
            let second = try peer.assignment()
            try peer.send(.jobResult(JobResultMessage(jobID: second.jobID, computeTime: .zero, payload: Self.payload)))
            return ([first.jobID, retried.jobID, second.jobID], extra != nil)
        }
        let (jobIDs, extraAssignment) = try await peer.value()
        let outcome = try await run.value()

        #expect(!extraAssignment)
        #expect(jobIDs[0] == jobIDs[1] && jobIDs[1] != jobIDs[2])
        #expect(outcome.dispatches.map(\.previousAttempts) == [0, 1, 0])
        #expect(outcome.statistics.completedJobs == 2 && outcome.statistics.redispatchCount == 1)
    }

    @Test("An assignment to an unreachable worker returns to the queue at no cost; the worker, back, is served")
    func unreachableWorkerKeepsSession() async throws {
        let problem = DotShardProblem(rowCount: 8, length: 3, vectorCount: 2, seed: 1600)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://unreachable", lease: .seconds(5), minimumWorkers: 2),
            context: problem.context, jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        let identity = Array("returning-worker".utf8)
        let peers = ThreadOutcome("test.unreachable") { () -> WireMessage in
            let run = try Self.joinRequestAndLeave(endpoint: endpoint, zeroMQ: zeroMQ, routingID: identity)
            // Let the ROUTER see the connection go before dispatching starts.
            Thread.sleep(forTimeInterval: 0.3)
            let other = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            try other.join(workerID: "other")
            try other.send(.jobRequest)
            let first = try other.assignment()

            let back = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ, routingID: identity)
            (back.runID, back.contextDigest) = run
            try back.send(.heartbeat(jobIDs: []))
            let reply = try back.receive().message
            try back.send(.jobRequest)
            let second = try back.assignment()
            try other.send(.jobResult(JobResultMessage(jobID: first.jobID, computeTime: .zero, payload: Self.payload)))
            try back.send(.jobResult(JobResultMessage(jobID: second.jobID, computeTime: .zero, payload: Self.payload)))
            return reply
        }
        let reply = try await peers.value()
        let outcome = try await run.value()

        #expect(reply == .heartbeat(jobIDs: []))
        #expect(outcome.dispatches.count == 2 && outcome.dispatches.allSatisfy { $0.previousAttempts == 0 })
        #expect(outcome.statistics.undeliveredMessages >= 1 && outcome.statistics.redispatchCount == 0)
        #expect(
            outcome.statistics.jobsPerWorker == ["other": 1, "returning": 1] && outcome.statistics.refusedPeers == 0)
    }

    // MARK: - The worker's side

    @Test("A worker keeps its routing identity on a re-established connection and repeats a lost job request")
    func workerKeepsIdentityAndRepeatsRequest() async throws {
        let context = RunContext(blobs: [ContextBlob(name: "reconnection.one", bytes: [1, 2, 3])])
        let (endpoint, script) = try ScriptedCoordinator.start(context: context) { coordinator -> [[UInt8]] in
            let hello = try coordinator.receive(.hello)
            try coordinator.welcome(hello.identity, sending: context.blobs)
            _ = try coordinator.receive(.jobRequest)
            // The request is lost, and every connection is reset.
            try coordinator.rebind()
            let heartbeat = try coordinator.receive(.heartbeat)
            try coordinator.send(.heartbeat(jobIDs: []), to: heartbeat.identity)
            let request = try coordinator.receive(.jobRequest)
            try coordinator.send(.shutdown(reason: "done", nextRunFollows: false), to: request.identity)
            return [hello.identity, heartbeat.identity, request.identity]
        }
        let worker = Self.startWorker(endpoint: endpoint, id: "steady")
        let identities = try await script.value()
        let summary = try await worker.value()

        #expect(identities[0].count == 16 && identities[0][0] != 0)
        #expect(identities.allSatisfy { $0 == identities[0] })
        #expect(summary.shutdownReason == "done")
    }

    @Test("A worker that is not welcomed within its patience greets again on a new connection and identity")
    func unwelcomedWorkerStartsOver() async throws {
        let context = RunContext(blobs: [ContextBlob(name: "reconnection.one", bytes: [4, 5])])
        let (endpoint, script) = try ScriptedCoordinator.start(context: context) { coordinator -> [[UInt8]] in
            let ignored = try coordinator.receive(.hello)
            var hello = try coordinator.receive(.hello)
            while hello.identity == ignored.identity { hello = try coordinator.receive(.hello) }
            try coordinator.welcome(hello.identity, sending: context.blobs)
            let request = try coordinator.receive(.jobRequest)
            try coordinator.send(.shutdown(reason: "done", nextRunFollows: false), to: request.identity)
            return [ignored.identity, hello.identity, request.identity]
        }
        let worker = Self.startWorker(endpoint: endpoint, id: "patient", welcomePatience: .seconds(1))
        let identities = try await script.value()
        let summary = try await worker.value()

        #expect(identities[0] != identities[1] && identities[1] == identities[2])
        #expect(summary.shutdownReason == "done")
    }

    @Test("A worker whose context blobs were lost greets again, listing the blobs it already holds")
    func workerMissingBlobsStartsOver() async throws {
        let blobs = [
            ContextBlob(name: "reconnection.one", bytes: [1]), ContextBlob(name: "reconnection.two", bytes: [2]),
        ]
        let context = RunContext(blobs: blobs)
        let (endpoint, script) = try ScriptedCoordinator.start(context: context) {
            coordinator -> (first: [UInt8], second: [UInt8], cached: [WireDigest]) in
            let first = try coordinator.receive(.hello)
            try coordinator.welcome(first.identity, sending: [blobs[0]])
            let heartbeat = try coordinator.receive(.heartbeat)
            try coordinator.send(.heartbeat(jobIDs: []), to: heartbeat.identity)
            let second = try coordinator.receive(.hello)
            try coordinator.welcome(second.identity, sending: [blobs[1]])
            let request = try coordinator.receive(.jobRequest)
            try coordinator.send(.shutdown(reason: "done", nextRunFollows: false), to: request.identity)
            guard case .hello(let hello) = second.envelope.message else { return ([], [], []) }
            return (first.identity, second.identity, hello.cachedBlobs)
        }
        let worker = Self.startWorker(endpoint: endpoint, id: "reloading")
        let (firstIdentity, secondIdentity, cached) = try await script.value()
        let summary = try await worker.value()

        #expect(firstIdentity != secondIdentity)
        #expect(cached == [blobs[0].digest])
        #expect(summary.blobsReceived == 2 && summary.shutdownReason == "done")
    }

    /// Joins as worker "returning", asks for a job and closes the connection at once.
    ///
    /// - Returns: the run and context the welcome named.
    static func joinRequestAndLeave(
        endpoint: String, zeroMQ: ZeroMQContext, routingID: [UInt8]
    ) throws -> (RunIdentifier, WireDigest) {
        let leaving = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ, routingID: routingID)
        try leaving.join(workerID: "returning")
        try leaving.send(.jobRequest)
        return (leaving.runID, leaving.contextDigest)
    }

    static func startWorker(
        endpoint: String, id: String, welcomePatience: Duration = .seconds(5)
    ) -> ThreadOutcome<WorkerSummary> {
        ThreadOutcome("test.worker.\(id)") {
            let configuration = WorkerConfiguration(
                endpoint: endpoint, workerID: id, coordinatorTimeout: WireHarness.workerTimeout,
                welcomePatience: welcomePatience)
            return try JobWorker(configuration: configuration, logger: Logger(label: "test.worker")).run()
        }
    }
}

extension ScriptedPeer {
    /// The next assignment, skipping other messages.
    func assignment() throws -> JobAssignment {
        guard case .jobAssignment(let assignment) = try receive(.jobAssignment).message else {
            throw WireTestFailure("expected a job assignment")
        }
        return assignment
    }

    /// Sends heartbeats naming no job until the coordinator answers that none is leased to
    /// this peer, as a worker does while a lease it never received runs out.
    func waitUntilNoJobIsLeased(within timeout: Duration = .seconds(10)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try send(.heartbeat(jobIDs: []))
            if case .heartbeat(let held) = try receive(.heartbeat).message, held.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw WireTestFailure("the coordinator still listed a lease after \(timeout)")
    }
}

/// A hand-driven coordinator for scripted worker tests: one ROUTER on TCP loopback, on the
/// thread that runs the script.
final class ScriptedCoordinator {
    let zeroMQ: ZeroMQContext
    let context: RunContext
    private var router: ZeroMQSocket?
    let endpoint: String

    private init(context: RunContext) throws {
        zeroMQ = try ZeroMQContext()
        self.context = context
        let router = try ZeroMQSocket(.router, context: zeroMQ, linger: .zero)
        try router.bind(to: "tcp://127.0.0.1:0")
        endpoint = try router.lastEndpoint()
        self.router = router
    }

    private var socket: ZeroMQSocket {
        get throws {
            guard let router else { throw WireTestFailure("the scripted coordinator has no socket") }
            return router
        }
    }

    /// Runs `script` with a new coordinator on its own thread, once it is bound.
    static func start<Value: Sendable>(
        context: RunContext, _ script: @escaping @Sendable (ScriptedCoordinator) throws -> Value
    ) throws -> (endpoint: String, outcome: ThreadOutcome<Value>) {
        let endpoint = Mutex<String?>(nil)
        let bound = Latch()
        let outcome = ThreadOutcome("test.coordinator") {
            let coordinator = try ScriptedCoordinator(context: context)
            endpoint.withLock { $0 = coordinator.endpoint }
            bound.open()
            return try script(coordinator)
        }
        guard bound.waitBlocking(within: .seconds(10)), let address = endpoint.withLock({ $0 }) else {
            throw WireTestFailure("the scripted coordinator did not bind within 10 s")
        }
        return (address, outcome)
    }

    /// Closes the ROUTER, which resets every connection, and binds a new one at the same address.
    func rebind() throws {
        router = nil
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            do {
                let fresh = try ZeroMQSocket(.router, context: zeroMQ, linger: .zero)
                try fresh.bind(to: endpoint)
                router = fresh
                return
            } catch let error as WireError where error.errorNumber == EADDRINUSE && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Receives until a message of `kind` arrives, skipping others.
    func receive(
        _ kind: WireMessageKind, timeout: Duration = .seconds(5)
    ) throws -> (identity: [UInt8], envelope: WireEnvelope) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frames = try socket.receive(timeout: max(.zero, deadline - ContinuousClock.now))
            let envelope = try WireEnvelope.decode(frames[1])
            if envelope.message.kind == kind { return (frames[0], envelope) }
        }
    }

    func send(_ message: WireMessage, to identity: [UInt8]) throws {
        let envelope = WireEnvelope(runID: context.runID, contextDigest: context.digest, message: message)
        try socket.send([identity, envelope.encoded()], timeout: .seconds(5))
    }

    /// Welcomes a worker to the run with a 100 ms heartbeat and sends it `blobs`, which may be
    /// fewer than the manifest announces.
    func welcome(_ identity: [UInt8], sending blobs: [ContextBlob]) throws {
        let welcome = CoordinatorWelcome(
            leaseDuration: .seconds(3), heartbeatInterval: .milliseconds(100), manifest: context.manifest)
        try send(.welcome(welcome), to: identity)
        for blob in blobs { try send(.contextBlob(blob), to: identity) }
    }
}
