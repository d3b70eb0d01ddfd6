import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite("Scheduler fault tolerance: lost leases, late and duplicate results, garbage, failing jobs, resume")
struct SchedulerFaultToleranceTests {
    @Test("A worker that freezes holding a job loses it when the lease expires; another worker finishes the run")
    func frozenWorkerLosesLease() async throws {
        let problem = DotShardProblem(rowCount: 60, length: 20, vectorCount: 4, seed: 400)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://frozen"), context: problem.context,
            jobs: problem.jobs(shardSize: 10), zeroMQ: zeroMQ)
        let holdsJob = Latch()
        let runIsOver = Latch()
        let frozen = ThreadOutcome("test.frozen") {
            let peer = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            try peer.join(workerID: "frozen")
            try peer.send(.jobRequest)
            guard case .jobAssignment(let assignment) = try peer.receive(.jobAssignment).message else {
                throw WireTestFailure("no assignment")
            }
            holdsJob.open()
            // Hold the job without a heartbeat, and the socket open, until the run is over.
            _ = runIsOver.waitBlocking(within: .seconds(15))
            return assignment.jobID
        }
        #expect(await holdsJob.wait(within: .seconds(10)))
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "healthy", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        runIsOver.open()
        _ = try await worker.value()
        let frozenJob = try await frozen.value()

        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        #expect(outcome.statistics.redispatchCount >= 1)
        #expect(outcome.dispatches.contains { $0.jobID == frozenJob && $0.previousAttempts == 1 })
        #expect(outcome.statistics.jobsPerWorker["frozen"] == nil)
        #expect(outcome.statistics.jobsPerWorker["healthy"] == 6)
    }

    @Test("A late wrong result for a job already completed is ignored; the caller sees each job once")
    func lateAndDuplicateResultsIgnored() async throws {
        let problem = DotShardProblem(rowCount: 20, length: 6, vectorCount: 3, seed: 500)
        let jobs = problem.jobs(shardSize: 10)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://late"), context: problem.context, jobs: jobs, zeroMQ: zeroMQ)
        let peerScript = ThreadOutcome("test.late") {
            let peer = try ScriptedPeer(endpoint: endpoint, zeroMQ: zeroMQ)
            try peer.join(workerID: "late")
            guard case .contextBlob(let blob) = try peer.receive(.contextBlob).message else {
                throw WireTestFailure("no blob")
            }
            let context = WorkerContext(runID: peer.runID, digest: peer.contextDigest, blobs: [blob])
            try peer.send(.jobRequest)
            guard case .jobAssignment(let first) = try peer.receive(.jobAssignment).message else {
                throw WireTestFailure("no assignment")
            }
            // Silent past the lease: the job returns to the queue, ahead of fresh jobs, and comes
            // back to this peer at its next request.
            Thread.sleep(forTimeInterval: 0.6)
            try peer.send(.jobRequest)
            guard case .jobAssignment(let again) = try peer.receive(.jobAssignment).message, again.jobID == first.jobID
            else { throw WireTestFailure("the lost job was not re-dispatched") }
            let input = JobInput(jobID: again.jobID, kind: again.kind, payload: again.payload, context: context)
            let correct = try DotShardJob.handle(input)
            try peer.send(.jobResult(JobResultMessage(jobID: again.jobID, computeTime: .zero, payload: correct)))
            let wrong = correct.map { $0 ^ 0x5A }
            try peer.send(.jobResult(JobResultMessage(jobID: first.jobID, computeTime: .zero, payload: wrong)))
            try peer.send(.jobResult(JobResultMessage(jobID: first.jobID, computeTime: .zero, payload: correct)))
            try peer.send(.jobRequest)
            guard case .jobAssignment(let last) = try peer.receive(.jobAssignment).message else {
                throw WireTestFailure("no second job")
            }
            let lastInput = JobInput(jobID: last.jobID, kind: last.kind, payload: last.payload, context: context)
            try peer.send(
                .jobResult(
                    JobResultMessage(jobID: last.jobID, computeTime: .zero, payload: try DotShardJob.handle(lastInput)))
            )
            _ = try peer.receive(.shutdown)
        }
        let outcome = try await run.value()
        try await peerScript.value()

        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        #expect(outcome.callbackCounts == [0: 1, 1: 1])
        #expect(outcome.statistics.duplicateResults == 2)
        #expect(outcome.statistics.redispatchCount == 1)
        #expect(outcome.dispatches.map(\.previousAttempts) == [0, 1, 0])
    }

    @Test("A handler that runs past the job time limit loses its lease despite heartbeats; the result is unchanged")
    func handlerPastTimeLimitIsRedispatched() async throws {
        let problem = DotShardProblem(rowCount: 120, length: 30, vectorCount: 5, seed: 600)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://slow", jobTimeLimit: .milliseconds(300), minimumWorkers: 2),
            context: problem.context, jobs: problem.jobs(shardSize: 3), zeroMQ: zeroMQ)
        let firstCall = OnceFlag()
        var sleepy = JobHandlerRegistry()
        sleepy.register(DotShardJob.kind) { input in
            if firstCall.claim() { Thread.sleep(forTimeInterval: 1.5) }
            return try DotShardJob.handle(input)
        }
        let slow = WireHarness.startWorker(endpoint: endpoint, id: "slow", zeroMQ: zeroMQ, handlers: sleepy)
        let fast = WireHarness.startWorker(endpoint: endpoint, id: "fast", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        let slowSummary = try await slow.value()
        _ = try await fast.value()

        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        #expect(firstCall.isClaimed)
        #expect(outcome.statistics.redispatchCount >= 1)
        #expect(slowSummary.jobsCompleted == 0)
        #expect(outcome.statistics.elapsed < .seconds(1.5))
    }

    @Test("Garbage, multi-frame and oversized frames from other peers do not stop the run")
    func garbageDoesNotStopRun() async throws {
        let problem = DotShardProblem(rowCount: 30, length: 10, vectorCount: 3, seed: 700)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", maximumFrameSize: 64 * 1024, minimumWorkers: 1),
            context: problem.context, jobs: problem.jobs(shardSize: 5), zeroMQ: zeroMQ)
        let vandal = ThreadOutcome("test.vandal") {
            let garbage = try ZeroMQSocket(.dealer, context: zeroMQ, linger: .zero)
            try garbage.connect(to: endpoint)
            try garbage.send([WireSamples.bytes(300, seed: 701)], timeout: .seconds(5))
            try garbage.send([[1], [2, 3]], timeout: .seconds(5))
            try garbage.send([[]], timeout: .seconds(5))
            let refusal = try WireEnvelope.decode(try garbage.receive(timeout: .seconds(5))[0])
            let giant = try ZeroMQSocket(.dealer, context: zeroMQ, linger: .zero)
            try giant.connect(to: endpoint)
            try giant.send([[UInt8](repeating: 7, count: 200 * 1024)], timeout: .seconds(5))
            return refusal.message
        }
        let refusal = try await vandal.value()
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "honest", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        _ = try await worker.value()

        guard case .refuse(let reason) = refusal else { throw WireTestFailure("expected a refusal, got \(refusal)") }
        #expect(reason.contains("Malformed"))
        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        #expect(outcome.statistics.droppedMessages == 3)
        #expect(outcome.statistics.workersJoined == 1)
    }

    @Test("A job that fails on every attempt stops the run with each worker's message")
    func persistentFailureStopsRun() async throws {
        let problem = DotShardProblem(rowCount: 40, length: 5, vectorCount: 2, seed: 800)
        let zeroMQ = try ZeroMQContext()
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://failing", maximumAttempts: 3, minimumWorkers: 2),
            context: problem.context, jobs: problem.jobs(shardSize: 4), zeroMQ: zeroMQ)
        var failing = JobHandlerRegistry()
        failing.register(DotShardJob.kind) { input in
            guard input.jobID != 6 else { throw JobHandlerError(.computationFailed, "block 6 is singular") }
            return try DotShardJob.handle(input)
        }
        let workers = ["a", "b"].map {
            WireHarness.startWorker(endpoint: endpoint, id: $0, zeroMQ: zeroMQ, handlers: failing)
        }
        let result = try await run.result()
        for worker in workers { _ = try await worker.value() }

        let error = try #require(throws: WireError.self) { try result.get() }
        #expect(error.code == .jobFailed)
        #expect(error.remoteFailures.count == 3)
        #expect(error.remoteFailures.allSatisfy { $0.contains("computation failed: block 6 is singular") })
        #expect(error.remoteFailures.allSatisfy { $0.hasPrefix("worker a:") || $0.hasPrefix("worker b:") })
        #expect(error.message.contains("Job 6"))
    }

    @Test("Resuming: jobs given as complete are never dispatched, and a fully complete run returns at once")
    func completedJobsAreNotDispatched() async throws {
        let problem = DotShardProblem(rowCount: 50, length: 4, vectorCount: 2, seed: 900)
        let zeroMQ = try ZeroMQContext()
        let completed: Set<UInt64> = [0, 3, 7]
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://resume"), context: problem.context,
            jobs: problem.jobs(shardSize: 5), completed: completed, zeroMQ: zeroMQ)
        let worker = WireHarness.startWorker(endpoint: endpoint, id: "resumer", zeroMQ: zeroMQ)
        let outcome = try await run.value()
        _ = try await worker.value()

        #expect(Set(outcome.results.keys) == Set(0..<10).subtracting(completed))
        #expect(outcome.dispatches.allSatisfy { !completed.contains($0.jobID) })
        #expect(outcome.statistics.skippedJobs == 3 && outcome.statistics.completedJobs == 7)

        let (_, finished) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "inproc://resume-done"), context: problem.context,
            jobs: problem.jobs(shardSize: 5), completed: Set(0..<10), zeroMQ: zeroMQ)
        let nothing = try await finished.value()
        #expect(nothing.dispatches.isEmpty && nothing.results.isEmpty)
    }

    @Test("A run with no workers stops at its time limit with a timeout")
    func runTimeLimitStopsRun() async throws {
        let problem = DotShardProblem(rowCount: 4, length: 2, vectorCount: 1, seed: 950)
        let configuration = SchedulerConfiguration(
            endpoint: "tcp://127.0.0.1:0", leaseDuration: .milliseconds(100), runTimeLimit: .milliseconds(300))
        let (_, run) = try WireHarness.startScheduler(
            configuration, context: problem.context, jobs: problem.jobs(shardSize: 2))
        let result = try await run.result()
        let error = try #require(throws: WireError.self) { try result.get() }
        #expect(error.code == .timeout)
    }
}

/// A flag the first caller claims, shared between threads.
final class OnceFlag: Sendable {
    private let claimed = Atomic<Bool>(false)

    /// Whether this call was the first.
    func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }

    var isClaimed: Bool { claimed.load(ordering: .acquiring) }
}
