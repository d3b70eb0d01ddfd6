import Foundation
import Synchronization
import Testing

@testable import Shared

/// Work running on its own thread, whose outcome a test awaits without blocking Swift
/// concurrency's threads.
final class ThreadOutcome<Value: Sendable>: Sendable {
    private let outcome = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ name: String, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// The outcome, or a test failure when the thread is still running after `timeout`.
    func result(within timeout: Duration = .seconds(90)) async throws -> Result<Value, any Error> {
        let finished = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let milliseconds = Int(timeout.components.seconds) * 1000
                continuation.resume(
                    returning: self.done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success)
            }
        }
        guard finished, let result = outcome.withLock({ $0 }) else {
            throw WireTestFailure("thread did not finish within \(timeout)")
        }
        return result
    }

    /// The value, rethrowing the thread's error.
    func value(within timeout: Duration = .seconds(90)) async throws -> Value {
        try await result(within: timeout).get()
    }
}

/// A one-shot signal from a test thread to the test.
final class Latch: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func open() { semaphore.signal() }

    /// Whether the latch opened within `timeout`; waits off Swift concurrency's threads.
    func wait(within timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.waitBlocking(within: timeout))
            }
        }
    }

    /// Whether the latch opened within `timeout`, blocking the calling thread (test threads only).
    func waitBlocking(within timeout: Duration) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds) * 1000)) == .success
    }
}

struct WireTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a scheduler run in a test produced.
struct SchedulerRun: Sendable {
    var results: [UInt64: [UInt8]] = [:]
    /// How often `onResult` saw each job: must be once.
    var callbackCounts: [UInt64: Int] = [:]
    var dispatches: [DispatchEvent] = []
    var statistics = SchedulerStatistics()
}

/// Starts schedulers and workers on their own threads.
enum WireHarness {
    /// Leases in tests: short, so that lost leases cost little, and long against a heartbeat
    /// every 100 ms on a loaded two-core machine.
    static let lease = Duration.milliseconds(400)
    /// Bounds every run, so that no test can hang. Generous: on two cores the numerical suites
    /// can hold Swift concurrency's threads for 20 s and more, and a test cannot start its
    /// workers until it runs again, while its scheduler's clock keeps running on its own thread.
    static let runLimit = Duration.seconds(60)
    /// How long test workers wait for a silent coordinator.
    static let workerTimeout = Duration.seconds(5)

    static func configuration(
        endpoint: String, lease: Duration = lease, maximumAttempts: Int = 3, jobTimeLimit: Duration? = nil,
        maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize, security: CurveServerSecurity? = nil,
        minimumWorkers: Int = 0
    ) -> SchedulerConfiguration {
        SchedulerConfiguration(
            endpoint: endpoint, leaseDuration: lease, maximumAttempts: maximumAttempts,
            maximumFrameSize: maximumFrameSize, jobTimeLimit: jobTimeLimit, runTimeLimit: runLimit, security: security,
            minimumWorkers: minimumWorkers)
    }

    /// Creates a scheduler on a new thread, returns its bound endpoint, and runs it there.
    static func startScheduler(
        _ configuration: SchedulerConfiguration, context: RunContext, jobs: [JobSpecification],
        completed: Set<UInt64> = [], zeroMQ: ZeroMQContext? = nil,
        onDispatch: @escaping @Sendable (DispatchEvent) -> Void = { _ in }
    ) throws -> (endpoint: String, run: ThreadOutcome<SchedulerRun>) {
        let endpoint = Mutex<Result<String, any Error>?>(nil)
        let bound = DispatchSemaphore(value: 0)
        let run = ThreadOutcome("test.scheduler") {
            let scheduler: JobScheduler
            do {
                scheduler = try JobScheduler(
                    configuration: configuration, context: context, jobs: jobs, completedJobIDs: completed,
                    zeroMQ: zeroMQ, logger: Logger(label: "test.scheduler"))
                endpoint.withLock { $0 = .success(scheduler.endpoint) }
                bound.signal()
            } catch {
                endpoint.withLock { $0 = .failure(error) }
                bound.signal()
                throw error
            }
            var outcome = SchedulerRun()
            outcome.statistics = try scheduler.run(
                onDispatch: {
                    outcome.dispatches.append($0)
                    onDispatch($0)
                },
                onResult: {
                    outcome.results[$0.jobID] = $0.payload
                    outcome.callbackCounts[$0.jobID, default: 0] += 1
                })
            return outcome
        }
        guard bound.wait(timeout: .now() + .seconds(10)) == .success, let result = endpoint.withLock({ $0 }) else {
            throw WireTestFailure("scheduler did not bind within 10 s")
        }
        return (try result.get(), run)
    }

    /// Starts a worker on a new thread.
    static func startWorker(
        endpoint: String, id: String, zeroMQ: ZeroMQContext? = nil, handlers: JobHandlerRegistry = .standard,
        timeout: Duration = workerTimeout, security: CurveClientSecurity? = nil,
        expectedContextDigest: WireDigest? = nil
    ) -> ThreadOutcome<WorkerSummary> {
        ThreadOutcome("test.worker.\(id)") {
            let configuration = WorkerConfiguration(
                endpoint: endpoint, workerID: id, coordinatorTimeout: timeout, security: security,
                expectedContextDigest: expectedContextDigest)
            return try JobWorker(
                configuration: configuration, handlers: handlers, zeroMQ: zeroMQ, logger: Logger(label: "test.worker")
            ).run()
        }
    }
}

/// A `dot-shard` problem from a fixed seed: N rows of length P and Q vectors.
struct DotShardProblem: Sendable {
    let rows: Matrix
    let vectors: Matrix
    let context: RunContext

    init(rowCount: Int, length: Int, vectorCount: Int, seed: UInt64) {
        rows = RandomMatrices.normal(rows: rowCount, columns: length, seed: seed)
        vectors = RandomMatrices.normal(rows: vectorCount, columns: length, seed: seed + 1)
        context = RunContext(blobs: [DotShardJob.contextBlob(vectors: vectors)])
    }

    func jobs(shardSize: Int) -> [JobSpecification] {
        DotShardJob.jobs(rows: rows, shardSize: shardSize)
    }

    /// The single-process product: the same function the workers run, over all rows at once.
    var expected: Matrix { DotShardJob.product(rows: rows, vectors: vectors) }

    /// Puts the results together; throws if any row is missing or covered twice.
    func assemble(_ results: [UInt64: [UInt8]]) throws -> Matrix {
        var assembly = DotShardAssembly(rowCount: rows.rows, vectorCount: vectors.rows)
        for (_, payload) in results.sorted(by: { $0.key < $1.key }) { try assembly.insert(payload) }
        guard assembly.missingRows == 0 else { throw WireTestFailure("\(assembly.missingRows) rows missing") }
        return assembly.product
    }
}

/// The number of elements whose bit patterns differ (or the larger count, when lengths differ):
/// 0 means bit-for-bit equal. A count keeps failure reports short.
func bitDifferences(_ a: Matrix, _ b: Matrix) -> Int {
    guard a.rows == b.rows, a.columns == b.columns else { return max(a.elements.count, b.elements.count) }
    return zip(a.elements, b.elements).filter { $0.bitPattern != $1.bitPattern }.count
}

/// A hand-driven protocol peer for scripted misbehaviour: one DEALER on the calling thread.
final class ScriptedPeer {
    let socket: ZeroMQSocket
    var runID = RunIdentifier.zero
    var contextDigest = WireDigest.zero

    /// - Parameter routingID: the identity the coordinator sees; libzmq's ROUTER chooses one
    ///   when `nil`.
    init(
        endpoint: String, zeroMQ: ZeroMQContext, security: CurveClientSecurity? = nil, routingID: [UInt8]? = nil
    ) throws {
        socket = try ZeroMQSocket(.dealer, context: zeroMQ, linger: .zero)
        if let routingID { try socket.set(.routingID(routingID)) }
        if let security { try socket.set(.curveClient(serverKey: security.serverKey, keyPair: security.keyPair)) }
        try socket.connect(to: endpoint)
    }

    func send(_ message: WireMessage, version: UInt16 = WireProtocol.version) throws {
        let envelope = WireEnvelope(version: version, runID: runID, contextDigest: contextDigest, message: message)
        try socket.send([envelope.encoded()], timeout: .seconds(5))
    }

    func receive(timeout: Duration = .seconds(5)) throws -> WireEnvelope {
        let frames = try socket.receive(timeout: timeout)
        return try WireEnvelope.decode(frames[0])
    }

    /// Receives until a message of `kind` arrives, skipping heartbeats and context blobs.
    func receive(_ kind: WireMessageKind, timeout: Duration = .seconds(5)) throws -> WireEnvelope {
        let deadline = ContinuousClock.now + timeout
        while true {
            let envelope = try receive(timeout: max(.zero, deadline - ContinuousClock.now))
            if envelope.message.kind == kind { return envelope }
        }
    }

    /// Says hello with the standard job kinds and adopts the run of the welcome.
    func join(workerID: String) throws {
        try send(
            .hello(WorkerHello(workerID: workerID, jobKinds: [DotShardJob.kind], processorCount: 1, cachedBlobs: [])))
        let welcome = try receive(.welcome)
        runID = welcome.runID
        contextDigest = welcome.contextDigest
    }
}
