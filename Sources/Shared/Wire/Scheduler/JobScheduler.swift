/// Runs a list of jobs on the workers that connect to it: pull-based dispatch under leases,
/// retries, idempotent results, and optional CURVE authentication.
///
/// Workers connect to `endpoint`, say hello, receive the run's context blobs they lack, and then
/// ask for jobs one at a time. Each assignment carries a lease that the worker's heartbeats
/// renew; a lease that runs out (the worker died, hung, or lost its network) puts the job back
/// in the queue for another worker. The first result for a job wins and later ones are counted
/// and ignored, so a job computed twice is harmless. A job that fails `maximumAttempts` times
/// (reported failures and lost leases alike) stops the run with the workers' messages.
///
/// Peers are refused with a reason they can show when they speak another protocol version,
/// belong to another run or context, or lack a handler for a job kind of the run. A peer that
/// sends a malformed frame is refused and ignored from then on; one that sends a frame above
/// `maximumFrameSize` is disconnected by libzmq before the frame is read. Neither stops the run.
///
/// - Important: The scheduler owns a ROUTER socket, so it belongs to the thread that creates it:
///   create it, call `run`, and let it go on one thread. `run` calls `onResult` and `onDispatch`
///   on that same thread, between socket operations, so they may write results to disk but
///   should not block for long (leases keep running meanwhile).
public final class JobScheduler {
    /// The endpoint workers connect to, with a system-chosen port filled in.
    public let endpoint: String

    let configuration: SchedulerConfiguration
    let context: RunContext
    let logger: Logger
    let socket: ZeroMQSocket
    let clock = ContinuousClock()
    /// Job kinds in the run; a worker without a handler for each is refused.
    let requiredKinds: Set<String>
    /// Each context blob's `contextBlob` frame, encoded once and sent to every worker lacking it.
    let blobFrames: [(digest: WireDigest, frame: [UInt8])]
    private let authenticator: ZAPAuthenticator?

    var ledger: JobLedger
    var sessions: [PeerID: WorkerSession] = [:]
    /// Peers that asked for a job, oldest first.
    var waiting: [PeerID] = []
    /// Peers refused or caught sending malformed frames: their frames are dropped unread.
    var ignoredPeers: Set<PeerID> = []
    var statistics = SchedulerStatistics()
    private var hasRun = false
    /// Ids of the jobs of finished rounds: a late result or failure for one is ignored.
    var pastJobIDs: Set<UInt64> = []
    /// When the first round started; the run time limit counts from here.
    private var roundsStartedAt: ContinuousClock.Instant?
    private var isFinished = false
    /// Set once `minimumWorkers` workers were connected at the same time.
    private var isDispatching = false

    /// Binds the scheduler's socket; workers may connect as soon as this returns.
    ///
    /// - Parameters:
    ///   - configuration: endpoint, lease, retry and security settings.
    ///   - context: the run's identifier and immutable context blobs.
    ///   - jobs: every job of the run; ids must be unique.
    ///   - completedJobIDs: jobs already complete (resuming a run); they are never dispatched.
    ///   - zeroMQ: the context to create the socket in; pass the workers' context to use
    ///     `inproc://` endpoints. A new context by default.
    ///   - logger: where the scheduler reports workers joining, leases expiring and failures.
    /// - Throws: `WireError` when the endpoint cannot be bound, the ZAP handler cannot start, or
    ///   a context blob does not fit in `maximumFrameSize`.
    public convenience init(
        configuration: SchedulerConfiguration, context: RunContext, jobs: [JobSpecification],
        completedJobIDs: Set<UInt64> = [], zeroMQ: ZeroMQContext? = nil, logger: Logger = Logger(label: "scheduler")
    ) throws {
        try self.init(
            configuration: configuration, context: context, jobs: jobs, requiredKinds: Set(jobs.map(\.kind)),
            completedJobIDs: completedJobIDs, zeroMQ: zeroMQ, logger: logger)
    }

    /// Binds a scheduler for rounds of jobs given later (`runRound`, then `finish`).
    ///
    /// - Parameters:
    ///   - jobKinds: every job kind the rounds will use; a worker lacking one is refused.
    ///   - Other parameters: as for `init(configuration:context:jobs:completedJobIDs:zeroMQ:logger:)`.
    /// - Throws: as that initialiser.
    public convenience init(
        configuration: SchedulerConfiguration, context: RunContext, roundJobKinds jobKinds: Set<String>,
        zeroMQ: ZeroMQContext? = nil, logger: Logger = Logger(label: "scheduler")
    ) throws {
        try self.init(
            configuration: configuration, context: context, jobs: [], requiredKinds: jobKinds, completedJobIDs: [],
            zeroMQ: zeroMQ, logger: logger)
    }

    private init(
        configuration: SchedulerConfiguration, context: RunContext, jobs: [JobSpecification],
        requiredKinds: Set<String>, completedJobIDs: Set<UInt64>, zeroMQ: ZeroMQContext?, logger: Logger
    ) throws {
        let zeroMQ = try zeroMQ ?? ZeroMQContext()
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.requiredKinds = requiredKinds
        self.ledger = JobLedger(
            jobs: jobs, completedIDs: completedJobIDs, maximumAttempts: configuration.maximumAttempts)
        self.blobFrames = try context.blobs.map { blob in
            let envelope = WireEnvelope(
                runID: context.runID, contextDigest: context.digest, message: .contextBlob(blob))
            return (blob.digest, try envelope.encoded(maximumFrameSize: configuration.maximumFrameSize))
        }
        self.authenticator = try configuration.security.map {
            try ZAPAuthenticator(context: zeroMQ, allowedClientKeys: $0.authorizedClients)
        }
        self.socket = try Self.bindRouter(configuration, in: zeroMQ)
        self.endpoint = try socket.lastEndpoint()
        statistics.jobCount = jobs.count
        statistics.skippedJobs = jobs.count - ledger.remaining
    }

    private static func bindRouter(
        _ configuration: SchedulerConfiguration, in zeroMQ: ZeroMQContext
    ) throws
        -> ZeroMQSocket
    {
        let socket = try ZeroMQSocket(.router, context: zeroMQ)
        try socket.set(.routerMandatory(true))
        // Workers choose their routing identities: one that reconnects after a network failure
        // takes its identity back, and with it its session and leases, even from a half-open
        // connection this side has not noticed yet.
        try socket.set(.routerHandover(true))
        try socket.set(.maximumMessageSize(configuration.maximumFrameSize))
        if let security = configuration.security {
            try socket.set(.authenticationDomain("mtif"))
            try socket.set(.curveServer(secretKey: security.secretKey))
        }
        try socket.bind(to: configuration.endpoint)
        return socket
    }

    /// Runs until every job has a result, then tells the workers to shut down.
    ///
    /// - Parameters:
    ///   - onDispatch: called after each assignment is sent, for progress reports.
    ///   - onResult: called once per job with its first result, as results arrive; a throw
    ///     stops the run and is rethrown.
    /// - Returns: what the run cost.
    /// - Throws: `WireError.jobFailed` when a job failed `maximumAttempts` times (with every
    ///   worker's message), `WireError.timeout` past `runTimeLimit`, `WireError` when the socket
    ///   fails, or what `onResult` throws. Workers are told to shut down in every case.
    public func run(
        onDispatch: (DispatchEvent) -> Void = { _ in }, onResult: (CompletedJob) throws -> Void
    ) throws -> SchedulerStatistics {
        precondition(!hasRun && roundsStartedAt == nil, "A JobScheduler runs once")
        hasRun = true
        let start = clock.now
        logger.info(
            "run started", ["endpoint": endpoint, "jobs": ledger.remaining, "run": context.runID.description])
        try runUntilComplete(since: start, onDispatch: onDispatch, onResult: onResult)
        return finishRun(since: start)
    }

    // MARK: - Rounds

    /// Runs one round of jobs and returns when each has a result, keeping the workers for the
    /// next round.
    ///
    /// Leases, retries, duplicate rejection and admission work as in `run`. Job ids must be
    /// unique across every round of the scheduler: a late result or failure for a job of an
    /// earlier round is recognised by its id and ignored. Messages that queued up between rounds
    /// (heartbeats, job requests) are read before any lease or silence is judged, so time spent
    /// between rounds is not held against the workers; workers themselves give up on a
    /// coordinator silent for their timeout (60 s by default), which bounds that time.
    ///
    /// - Parameters:
    ///   - jobs: the round's jobs, with kinds among those given at creation.
    ///   - onDispatch: as for `run`.
    ///   - onResult: called once per job with its first result; a throw stops the run.
    /// - Throws: as `run`; after a throw the workers are told to shut down and the scheduler
    ///   takes no further rounds.
    /// - Precondition: `finish` was not called, `run` was not used, and no id was used before.
    public func runRound(
        jobs: [JobSpecification], onDispatch: (DispatchEvent) -> Void = { _ in },
        onResult: (CompletedJob) throws -> Void
    ) throws {
        precondition(!hasRun && !isFinished, "runRound after run or finish")
        precondition(jobs.allSatisfy { requiredKinds.contains($0.kind) }, "A round's job kinds must be declared")
        precondition(pastJobIDs.isDisjoint(with: jobs.map(\.id)), "Job ids must be unique across rounds")
        let start = roundsStartedAt ?? clock.now
        roundsStartedAt = start
        pastJobIDs.formUnion(ledger.jobs.map(\.id))
        ledger = JobLedger(jobs: jobs, completedIDs: [], maximumAttempts: configuration.maximumAttempts)
        for peer in sessions.keys { sessions[peer]?.dispatchedAt = [:] }
        statistics.jobCount += jobs.count
        do {
            try drainPendingMessages(onResult: onResult)
        } catch {
            isFinished = true
            broadcastShutdown(reason: "The run stopped: \(error)")
            throw error
        }
        do {
            try runUntilComplete(since: start, onDispatch: onDispatch, onResult: onResult)
        } catch {
            isFinished = true
            throw error
        }
    }

    /// Tells the workers the run is over after the last round.
    ///
    /// - Parameter nextRunFollows: whether another scheduler binds this endpoint next for a
    ///   new run; the workers then reconnect to it instead of exiting.
    /// - Returns: what every round together cost.
    public func finish(nextRunFollows: Bool = false) -> SchedulerStatistics {
        precondition(!hasRun && !isFinished, "finish after run or a failed round, or twice")
        isFinished = true
        return finishRun(since: roundsStartedAt ?? clock.now, nextRunFollows: nextRunFollows)
    }

    // MARK: - Loop

    /// Serves workers until every job of the ledger has a result; on a throw, shuts workers down.
    private func runUntilComplete(
        since start: ContinuousClock.Instant, onDispatch: (DispatchEvent) -> Void,
        onResult: (CompletedJob) throws -> Void
    ) throws {
        do {
            while ledger.remaining > 0 {
                try checkRunTimeLimit(since: start)
                try expireLeases()
                try forgetSilentWorkers()
                try dispatch(onDispatch)
                try receiveMessages(until: nextWakeUp(runStartedAt: start), onResult: onResult)
            }
        } catch {
            broadcastShutdown(reason: "The run stopped: \(error)")
            throw error
        }
    }

    private func finishRun(since start: ContinuousClock.Instant, nextRunFollows: Bool = false) -> SchedulerStatistics {
        broadcastShutdown(reason: "The run is complete.", nextRunFollows: nextRunFollows)
        statistics.elapsed = clock.now - start
        statistics.authentication = authenticator?.statistics
        logger.info("run finished", ["jobs": statistics.completedJobs, "seconds": statistics.elapsed.inSeconds])
        return statistics
    }

    /// Handles every message already waiting, without blocking.
    private func drainPendingMessages(onResult: (CompletedJob) throws -> Void) throws {
        while let frames = try socket.receiveIfReady() {
            try handle(frames, onResult: onResult)
        }
    }

    // MARK: - Loop steps

    private func checkRunTimeLimit(since start: ContinuousClock.Instant) throws {
        guard let limit = configuration.runTimeLimit, clock.now - start >= limit else { return }
        throw WireError(
            .timeout,
            "The run did not finish within \(limit): \(ledger.remaining) jobs left, \(sessions.count) workers "
                + "connected. Start more workers or raise the time limit.")
    }

    /// Puts the jobs of expired leases back in the queue, counting each as a failed attempt.
    private func expireLeases() throws {
        for (index, lease) in ledger.takeExpiredLeases(at: clock.now) {
            let workerID = sessions[lease.peer]?.workerID ?? lease.peer.description
            let seconds = (clock.now - lease.dispatchedAt).inSeconds
            logger.warning(
                "lease expired; the job goes back to the queue",
                ["worker.id": workerID, "job": ledger.jobs[index].id, "seconds": seconds])
            try recordLostAttempt(
                index, reason: "worker \(workerID): lease expired after \(Self.format(seconds)) s without a heartbeat")
        }
    }

    /// Forgets workers not heard from for twice the lease: no job goes to them again.
    private func forgetSilentWorkers() throws {
        let now = clock.now
        for (peer, session) in sessions where now - session.lastHeard > configuration.workerSilenceLimit {
            logger.warning("worker went silent; forgetting it", ["worker.id": session.workerID])
            try forget(peer, reason: "silent for \(configuration.workerSilenceLimit)")
        }
    }

    /// Hands queued jobs to waiting workers, oldest request first.
    private func dispatch(_ onDispatch: (DispatchEvent) -> Void) throws {
        isDispatching = isDispatching || sessions.count >= configuration.minimumWorkers
        guard isDispatching else { return }
        while let peer = nextWaitingPeer() {
            guard let index = ledger.takeNext() else {
                waiting.insert(peer, at: 0)
                return
            }
            try assign(index, to: peer, onDispatch)
        }
    }

    private func nextWaitingPeer() -> PeerID? {
        while !waiting.isEmpty {
            let peer = waiting.removeFirst()
            if sessions[peer]?.isWaiting == true { return peer }
        }
        return nil
    }

    /// The next moment the loop must look at leases even if no message arrives.
    private func nextWakeUp(runStartedAt start: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var wakeUp = clock.now + configuration.heartbeatInterval
        if let deadline = ledger.nextDeadline { wakeUp = min(wakeUp, deadline) }
        if let limit = configuration.runTimeLimit { wakeUp = min(wakeUp, start + limit) }
        return wakeUp
    }

    /// Waits for messages until `wakeUp`, then handles what arrived, up to a batch.
    private func receiveMessages(
        until wakeUp: ContinuousClock.Instant, onResult: (CompletedJob) throws -> Void
    )
        throws
    {
        guard try socket.waitUntilReadable(timeout: max(.zero, clock.now.duration(to: wakeUp))) else { return }
        for _ in 0..<256 {
            guard let frames = try socket.receiveIfReady() else { return }
            try handle(frames, onResult: onResult)
        }
    }

    static func format(_ seconds: Double) -> String {
        String(Double(Int(seconds * 1000)) / 1000)
    }
}

/// What the scheduler knows about one connected worker.
struct WorkerSession {
    var workerID: String
    var lastHeard: ContinuousClock.Instant
    /// Whether the worker asked for a job and has not been given one since.
    var isWaiting = false
    /// Jobs handed to this worker whose result has not come back, with when each was sent.
    var dispatchedAt: [Int: ContinuousClock.Instant] = [:]
}
