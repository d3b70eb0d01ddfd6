/// How a `JobScheduler` binds, leases and gives up.
public struct SchedulerConfiguration: Sendable {
    /// Where workers connect: any tcp, ipc or inproc endpoint. The default binds loopback on a
    /// port the system chooses; `JobScheduler.endpoint` reports it.
    public var endpoint: String
    /// How long a job stays with a worker without a heartbeat before it goes back to the queue.
    public var leaseDuration: Duration
    /// How often workers send heartbeats; a third of the lease by default, so that two lost
    /// heartbeats in a row do not cost a lease.
    public var heartbeatInterval: Duration
    /// How many failed attempts (reported failures, expired leases, lost workers) a job may
    /// have before the run stops with `WireError.jobFailed`.
    public var maximumAttempts: Int
    /// The largest frame the scheduler sends or accepts; a peer that sends a larger one is
    /// disconnected by libzmq. At most `WireProtocol.frameSizeLimit`.
    public var maximumFrameSize: Int
    /// How long one attempt at a job may run in total, heartbeats or not; `nil` for no limit.
    /// Past it the lease is no longer renewed, so a handler stuck in a loop cannot hold a job
    /// for ever.
    public var jobTimeLimit: Duration?
    /// How long the whole run may take before `run()` throws `WireError.timeout`; `nil` for
    /// no limit.
    public var runTimeLimit: Duration?
    /// CURVE encryption and the allow-list of worker keys; `nil` for plain connections.
    public var security: CurveServerSecurity?
    /// A worker not heard from for this long is forgotten: it gets no more jobs, and a message
    /// it sends later is refused. Only housekeeping, since leases already protect jobs, so it is
    /// generous by default: the larger of 4 leases and 30 s. A joining worker is silent while
    /// it hashes the context blobs it receives (about 3 s per GiB in a release build).
    public var workerSilenceLimit: Duration
    /// Dispatching starts once this many workers have joined, so that the first worker to
    /// connect does not take every job of a short run; 0 or 1 starts with the first.
    public var minimumWorkers: Int

    public init(
        endpoint: String = "tcp://127.0.0.1:0",
        leaseDuration: Duration = .seconds(30),
        heartbeatInterval: Duration? = nil,
        maximumAttempts: Int = 3,
        maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize,
        jobTimeLimit: Duration? = nil,
        runTimeLimit: Duration? = nil,
        security: CurveServerSecurity? = nil,
        minimumWorkers: Int = 0,
        workerSilenceLimit: Duration? = nil
    ) {
        precondition(leaseDuration >= .milliseconds(10), "A lease shorter than 10 ms cannot be renewed in time")
        precondition(maximumAttempts >= 1, "A job needs at least one attempt")
        precondition(
            maximumFrameSize >= 1024 && maximumFrameSize <= WireProtocol.frameSizeLimit,
            "The maximum frame size must lie between 1 KiB and 2 GiB")
        self.endpoint = endpoint
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval ?? leaseDuration / 3
        self.maximumAttempts = maximumAttempts
        self.maximumFrameSize = maximumFrameSize
        self.jobTimeLimit = jobTimeLimit
        self.runTimeLimit = runTimeLimit
        self.security = security
        self.minimumWorkers = minimumWorkers
        self.workerSilenceLimit = workerSilenceLimit ?? max(leaseDuration * 4, .seconds(30))
    }
}

/// The coordinator's side of CURVE: its secret key and the worker keys it accepts.
public struct CurveServerSecurity: Sendable {
    public var secretKey: CurveSecretKey
    /// Public keys of the workers allowed to connect; any other key fails the handshake.
    public var authorizedClients: Set<CurvePublicKey>

    public init(secretKey: CurveSecretKey, authorizedClients: Set<CurvePublicKey>) {
        self.secretKey = secretKey
        self.authorizedClients = authorizedClients
    }
}

/// One unit of work: an identifier unique within the run, a kind that selects the worker's
/// handler, and the bytes the handler reads.
///
/// The bytes may be given as parts that are joined only when the job is sent: the jobs of one
/// conjugate-gradient round share the round's directions and each keeps its shard's rows, so a
/// round of S jobs holds one copy of each instead of S joined payloads (arrays are shared, not
/// copied, until they are joined).
public struct JobSpecification: Sendable, Equatable {
    public var id: UInt64
    public var kind: String
    /// The payload's parts, in order.
    public var payloadParts: [[UInt8]]

    /// The bytes the handler reads: the parts joined (a new array when there are several,
    /// filled part by part with bulk copies).
    public var payload: [UInt8] {
        if payloadParts.count == 1 { return payloadParts[0] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payloadParts.reduce(0) { $0 + $1.count })
        for part in payloadParts { bytes.append(contentsOf: part) }
        return bytes
    }

    /// - Precondition: `kind` is 1 to 255 UTF-8 bytes.
    public init(id: UInt64, kind: String, payload: [UInt8]) {
        self.init(id: id, kind: kind, payloadParts: [payload])
    }

    /// A job whose payload is `payloadParts` joined, in order.
    ///
    /// - Precondition: `kind` is 1 to 255 UTF-8 bytes.
    public init(id: UInt64, kind: String, payloadParts: [[UInt8]]) {
        precondition(!kind.isEmpty && kind.utf8.count <= 255, "Job kinds are 1 to 255 bytes")
        self.id = id
        self.kind = kind
        self.payloadParts = payloadParts
    }

    /// Jobs are equal when their ids, kinds and joined payloads are, however the parts split them.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.kind == rhs.kind && lhs.payload == rhs.payload
    }
}

/// A job's accepted result, as the scheduler hands it to its caller.
public struct CompletedJob: Sendable {
    public var jobID: UInt64
    public var kind: String
    public var payload: [UInt8]
    /// The worker that returned the result.
    public var workerID: String
    /// The handler's running time, as the worker measured it.
    public var computeTime: Duration
    /// From sending the assignment to receiving the result, on the coordinator's clock.
    public var roundTrip: Duration
}

/// A job handed to a worker, reported to the caller for progress and tests.
public struct DispatchEvent: Sendable {
    public var jobID: UInt64
    public var workerID: String
    /// Failed attempts before this one: 0 for a first dispatch.
    public var previousAttempts: Int
}
