import Foundation

/// A worker: connects to a coordinator, receives the run's context, and runs jobs with the
/// handlers of its registry until the coordinator says the run is over.
///
/// The conversation: hello → welcome (or refuse) → the context blobs missing from the cache →
/// then, repeatedly, job request → assignment → result or failure. Heartbeats go out every
/// interval the welcome names, listing the job in progress, from the I/O thread while the
/// handler runs on the compute thread; the coordinator answers each, which is how the worker
/// notices a coordinator that vanished.
///
/// Liveness is application-level (heartbeats and leases) rather than ZeroMQ's own heartbeating:
/// a lease needs a renewal that names the jobs, and a hung handler must stop renewing when the
/// coordinator's job time limit says so, which transport-level pings cannot express.
///
/// - Important: `run` executes on the calling thread, which owns the worker's DEALER socket
///   and its end of the compute thread's signal pair until `run` returns. Handlers run on a
///   separate compute thread, one job at a time. Context blobs are hashed on the calling thread
///   as they arrive, which pauses heartbeats meanwhile; no lease is held then, and the
///   coordinator's silence limit (30 s at least by default) allows for it.
public struct JobWorker: Sendable {
    public let configuration: WorkerConfiguration
    public let handlers: JobHandlerRegistry
    public let cache: ContextCache
    let zeroMQ: ZeroMQContext?
    let logger: Logger

    /// - Parameters:
    ///   - configuration: endpoint, identity, keys and timeout.
    ///   - handlers: the job kinds this worker runs; `.standard` has every kind the library implements.
    ///   - cache: context blobs kept from earlier runs; a new, empty cache by default.
    ///   - zeroMQ: the context for the worker's sockets; pass the coordinator's to use
    ///     `inproc://` endpoints. A new context by default.
    ///   - logger: where the worker reports joining, jobs and failures (debug level for jobs).
    public init(
        configuration: WorkerConfiguration, handlers: JobHandlerRegistry = .standard,
        cache: ContextCache = ContextCache(), zeroMQ: ZeroMQContext? = nil, logger: Logger = Logger(label: "worker")
    ) {
        self.configuration = configuration
        self.handlers = handlers
        self.cache = cache
        self.zeroMQ = zeroMQ
        self.logger = logger
    }

    /// Serves one run, returning when the coordinator sends shutdown.
    ///
    /// - Returns: what the worker did.
    /// - Throws: `WireError.refused` with the coordinator's reason; `WireError.timeout` when no
    ///   coordinator answered the hello within `coordinatorTimeout` (wrong endpoint, or a
    ///   CURVE key the coordinator does not accept); `WireError.coordinatorLost` when it
    ///   stopped answering later; `WireError.contextMismatch` when a context blob or the
    ///   manifest does not match its digest; `WireError` for a malformed message or a socket
    ///   failure.
    public func run() throws -> WorkerSummary {
        try WorkerLoop(worker: self, zeroMQ: zeroMQ ?? ZeroMQContext()).run()
    }
}

/// The state of one worker session; lives on the thread that called `JobWorker.run`.
final class WorkerLoop {
    enum Phase { case greeting, loadingContext, ready }

    let worker: JobWorker
    let configuration: WorkerConfiguration
    let zeroMQ: ZeroMQContext
    /// The connection to the coordinator; replaced when the greeting starts over.
    var dealer: ZeroMQSocket
    let signal: ZeroMQSocket
    let executor: JobExecutor
    let clock = ContinuousClock()

    var phase = Phase.greeting
    var runID = RunIdentifier.zero
    var contextDigest = WireDigest.zero
    var heartbeatInterval = Duration.seconds(1)
    var manifest: [ContextManifestEntry] = []
    /// Blobs of the manifest still to arrive, by name.
    var missingBlobs: [String: ContextManifestEntry] = [:]
    var workerContext: WorkerContext?
    var runningJobID: UInt64?
    var lastHeard: ContinuousClock.Instant
    var nextHeartbeat: ContinuousClock.Instant
    var summary = WorkerSummary(runID: .zero)
    /// The greeting of the current connection: the cache's digests are those of its start.
    var hello: WorkerHello
    /// When the current connection's first hello went out.
    var greetingStartedAt: ContinuousClock.Instant
    /// Frames not yet taken by the socket, oldest first: sends never block the loop.
    var outbox: [[UInt8]] = []

    init(worker: JobWorker, zeroMQ: ZeroMQContext) throws {
        self.worker = worker
        self.configuration = worker.configuration
        self.zeroMQ = zeroMQ
        dealer = try Self.connectDealer(configuration, zeroMQ: zeroMQ)
        hello = Self.makeHello(worker)
        let signalEndpoint = "inproc://mtif.worker.signal.\(UUID().uuidString)"
        signal = try ZeroMQSocket(.pair, context: zeroMQ, linger: .zero)
        try signal.bind(to: signalEndpoint)
        executor = try JobExecutor(zeroMQ: zeroMQ, signalEndpoint: signalEndpoint)
        lastHeard = clock.now
        nextHeartbeat = clock.now
        greetingStartedAt = clock.now
    }

    deinit {
        executor.stop()
    }

    func run() throws -> WorkerSummary {
        try send(.hello(hello))
        lastHeard = clock.now
        greetingStartedAt = clock.now
        nextHeartbeat = clock.now + helloRepeatDelay()
        while true {
            try checkCoordinatorIsAlive()
            try sendHeartbeatIfDue()
            try flushOutbox()
            let ready = try ZeroMQSocket.waitUntilReadable([dealer, signal], timeout: timeUntilNextDuty())
            if ready[1] { try finishJob() }
            if ready[0], let finished = try receiveMessages() { return finished }
        }
    }

    // MARK: - Duties

    private func checkCoordinatorIsAlive() throws {
        let silence = clock.now - lastHeard
        guard silence > configuration.coordinatorTimeout else { return }
        if phase == .greeting {
            throw WireError(
                .timeout,
                "No answer from the coordinator at \(configuration.endpoint) within \(configuration.coordinatorTimeout). "
                    + "Check the endpoint; with CURVE, check that the server key is the coordinator's public key "
                    + "and that this worker's public key is on the coordinator's authorized list.")
        }
        throw WireError(
            .coordinatorLost,
            "The coordinator at \(configuration.endpoint) has not answered for \(configuration.coordinatorTimeout); "
                + "it stopped or the network failed.")
    }

    /// While greeting, the hello is repeated: one sent while the coordinator's endpoint changed
    /// hands between two runs may have gone to the socket being closed. The delay before the
    /// next repeat is the time spent greeting so far, between 50 ms and 1 s, so repeats come at
    /// about 50, 100, 200, 400, 800 ms, then every second: a worker joins the next run of a
    /// command (CG rounds, then the scoring pass) within tens of milliseconds, and a coordinator
    /// that is not there yet gets one hello a second. The coordinator ignores repeats.
    func helloRepeatDelay() -> Duration {
        min(max(clock.now - greetingStartedAt, .milliseconds(50)), .seconds(1))
    }

    private func sendHeartbeatIfDue() throws {
        if phase == .greeting, clock.now >= nextHeartbeat {
            guard clock.now - greetingStartedAt < configuration.welcomePatience else {
                return try startOver(reason: "no welcome within \(configuration.welcomePatience)", level: .debug)
            }
            try send(.hello(hello))
            nextHeartbeat = clock.now + helloRepeatDelay()
        }
        guard phase != .greeting, clock.now >= nextHeartbeat else { return }
        try send(.heartbeat(jobIDs: runningJobID.map { [$0] } ?? []))
        nextHeartbeat = clock.now + heartbeatInterval
    }

    private func timeUntilNextDuty() -> Duration {
        var duty = min(lastHeard + configuration.coordinatorTimeout, nextHeartbeat)
        if !outbox.isEmpty { duty = min(duty, clock.now + Self.outboxRetryInterval) }
        return max(.zero, clock.now.duration(to: duty))
    }

    /// Sends the outcome of the job the compute thread finished, then asks for the next job.
    private func finishJob() throws {
        _ = try signal.receiveIfReady()
        guard let outcome = executor.takeOutcome() else { return }
        runningJobID = nil
        switch outcome {
        case .result(let result):
            try send(.jobResult(result))
            summary.jobsCompleted += 1
            worker.logger.debug(
                "job done",
                ["worker.id": configuration.workerID, "job": result.jobID, "seconds": result.computeTime.inSeconds])
        case .failure(let failure):
            try send(.jobFailure(failure))
            summary.jobsFailed += 1
            worker.logger.warning(
                "job failed", ["worker.id": configuration.workerID, "job": failure.jobID, "reason": failure.message])
        }
        try send(.jobRequest)
    }

    /// How soon to retry frames the socket could not take.
    static let outboxRetryInterval = Duration.milliseconds(10)

    /// Queues one message in the current run's envelope (or the pinned or zero identity before
    /// the welcome) and sends what the socket takes without waiting.
    ///
    /// A send never blocks: with no connection to deliver to (an `inproc://` coordinator that
    /// closed, a full queue) the frame waits in the outbox, and messages already received,
    /// such as a shutdown, are still read. A coordinator that is really gone is noticed by its
    /// silence.
    func send(_ message: WireMessage) throws {
        let envelope = WireEnvelope(
            runID: phase == .greeting ? configuration.expectedRunID ?? .zero : runID,
            contextDigest: phase == .greeting ? configuration.expectedContextDigest ?? .zero : contextDigest,
            message: message)
        outbox.append(try envelope.encoded(maximumFrameSize: configuration.maximumFrameSize))
        try flushOutbox()
    }

    func flushOutbox() throws {
        while let frame = outbox.first {
            do {
                try dealer.send([frame], timeout: .zero)
            } catch let error as WireError where error.code == .timeout {
                return
            }
            outbox.removeFirst()
            summary.bytesSent += frame.count
        }
    }
}
