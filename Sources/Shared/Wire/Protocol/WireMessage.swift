/// Constants of the wire protocol; the layouts are documented in docs/protocol.md.
public enum WireProtocol {
    /// The protocol version this build speaks. Peers must speak the same version; only the
    /// header and the `refuse` body keep their layout across versions, so that a refusal is
    /// readable by every version.
    ///
    /// Version 2 added `nextRunFollows` to `shutdown`. Version 3 keeps the layouts and changes
    /// what peers do: workers choose their routing identities and repeat a job request when a
    /// heartbeat answer lists no job for them; the coordinator ignores a request from a worker
    /// that holds a lease.
    public static let version: UInt16 = 3
    /// The first four bytes of every frame: "mtif" in ASCII.
    static let magic: [UInt8] = Array("mtif".utf8)
    /// Bytes before the body: magic 4, version 2, kind 1, flags 1, run id 16, context digest 32.
    static let headerLength = 56
    /// The default cap on one frame: 1 GiB. Frames must stay below 2 GiB in any case, the
    /// largest size libzmq reports through its C `int` results.
    public static let defaultMaximumFrameSize = 1 << 30
    /// The hard upper bound for any configured maximum frame size.
    public static let frameSizeLimit = Int(Int32.max)
}

/// The kind of a message, as its header's kind byte encodes it.
public enum WireMessageKind: UInt8, Sendable, CaseIterable {
    case hello = 1
    case welcome = 2
    case refuse = 3
    case contextBlob = 4
    case jobRequest = 5
    case jobAssignment = 6
    case heartbeat = 7
    case jobResult = 8
    case jobFailure = 9
    case shutdown = 10
}

/// The fixed-layout start of every frame, readable without decoding the body.
public struct WireHeader: Sendable, Equatable {
    public var version: UInt16
    public var kind: WireMessageKind
    public var runID: RunIdentifier
    public var contextDigest: WireDigest
}

/// A worker's first message: who it is and what it can do.
public struct WorkerHello: Sendable, Equatable {
    /// A name for logs and statistics, such as "host-1234"; need not be unique.
    public var workerID: String
    /// The job kinds the worker has handlers for.
    public var jobKinds: [String]
    /// The number of processors the worker's machine reports.
    public var processorCount: UInt32
    /// Digests of context blobs already in the worker's cache, which need not be sent again.
    public var cachedBlobs: [WireDigest]

    public init(workerID: String, jobKinds: [String], processorCount: UInt32, cachedBlobs: [WireDigest]) {
        self.workerID = workerID
        self.jobKinds = jobKinds
        self.processorCount = processorCount
        self.cachedBlobs = cachedBlobs
    }
}

/// The coordinator's acceptance: the lease rules and the context the worker must hold.
public struct CoordinatorWelcome: Sendable, Equatable {
    /// How long a job stays leased without a heartbeat (sent in whole milliseconds).
    public var leaseDuration: Duration
    /// How often the worker sends heartbeats (sent in whole milliseconds).
    public var heartbeatInterval: Duration
    /// Every blob of the run's context; the ones not in the worker's cache follow as
    /// `contextBlob` messages.
    public var manifest: [ContextManifestEntry]

    public init(leaseDuration: Duration, heartbeatInterval: Duration, manifest: [ContextManifestEntry]) {
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval
        self.manifest = manifest
    }
}

/// A job handed to a worker under a lease.
public struct JobAssignment: Sendable, Equatable {
    public var jobID: UInt64
    public var kind: String
    /// The lease's length, counted from when the worker receives the assignment. A duration
    /// rather than a deadline, because the two machines' clocks need not agree.
    public var leaseDuration: Duration
    public var payload: [UInt8]

    public init(jobID: UInt64, kind: String, leaseDuration: Duration, payload: [UInt8]) {
        self.jobID = jobID
        self.kind = kind
        self.leaseDuration = leaseDuration
        self.payload = payload
    }
}

/// A job's result as the worker returns it.
public struct JobResultMessage: Sendable, Equatable {
    public var jobID: UInt64
    /// The handler's running time on the worker (sent in nanoseconds), so that the coordinator
    /// can tell computation from dispatch overhead.
    public var computeTime: Duration
    public var payload: [UInt8]

    public init(jobID: UInt64, computeTime: Duration, payload: [UInt8]) {
        self.jobID = jobID
        self.computeTime = computeTime
        self.payload = payload
    }
}

/// The kinds of job failure that cross the wire. Anything a handler throws that is not one of
/// these arrives as `remote`, with the worker named in the message.
public enum JobFailureKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The payload did not decode or did not fit the context.
    case invalidPayload = 1
    /// A context blob the job needs is not in the run's context.
    case missingContext = 2
    /// The worker has no handler for the job's kind.
    case unknownJobKind = 3
    /// The computation failed on valid input (a numerical failure).
    case computationFailed = 4
    /// The worker ran out of memory or another resource.
    case resourceExhausted = 5
    /// Any other error.
    case remote = 6

    public var description: String {
        switch self {
        case .invalidPayload: "invalid payload"
        case .missingContext: "missing context"
        case .unknownJobKind: "unknown job kind"
        case .computationFailed: "computation failed"
        case .resourceExhausted: "resource exhausted"
        case .remote: "remote error"
        }
    }
}

/// A worker's report that a job failed.
public struct JobFailureReport: Sendable, Equatable {
    public var jobID: UInt64
    public var kind: JobFailureKind
    public var message: String

    public init(jobID: UInt64, kind: JobFailureKind, message: String) {
        self.jobID = jobID
        self.kind = kind
        self.message = message
    }
}

/// Every message of the protocol, with its kind-specific body.
public enum WireMessage: Sendable, Equatable {
    /// Worker → coordinator, first message on a connection.
    case hello(WorkerHello)
    /// Coordinator → worker: accepted; context blobs follow.
    case welcome(CoordinatorWelcome)
    /// Either way: refused, with a reason a user can act on. Its layout never changes.
    case refuse(reason: String)
    /// Coordinator → worker: one blob of the run's context.
    case contextBlob(ContextBlob)
    /// Worker → coordinator: give me a job when one is free.
    case jobRequest
    /// Coordinator → worker: a job under a lease.
    case jobAssignment(JobAssignment)
    /// Worker → coordinator: renew the leases of these jobs. Coordinator → worker: the jobs
    /// still leased to you (the reply that proves the coordinator alive).
    case heartbeat(jobIDs: [UInt64])
    /// Worker → coordinator: a job's result.
    case jobResult(JobResultMessage)
    /// Worker → coordinator: a job failed.
    case jobFailure(JobFailureReport)
    /// Coordinator → worker: the run is over. With `nextRunFollows` the coordinator starts
    /// another run on the same endpoint at once (conjugate gradient's curvature rounds, then the
    /// scoring pass): the worker reconnects and says hello again, keeping its blob cache.
    /// Otherwise it exits.
    case shutdown(reason: String, nextRunFollows: Bool)

    public var kind: WireMessageKind {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .refuse: .refuse
        case .contextBlob: .contextBlob
        case .jobRequest: .jobRequest
        case .jobAssignment: .jobAssignment
        case .heartbeat: .heartbeat
        case .jobResult: .jobResult
        case .jobFailure: .jobFailure
        case .shutdown: .shutdown
        }
    }
}

/// A message with the run it belongs to: what one frame carries.
public struct WireEnvelope: Sendable, Equatable {
    public var version: UInt16
    public var runID: RunIdentifier
    public var contextDigest: WireDigest
    public var message: WireMessage

    public init(
        version: UInt16 = WireProtocol.version, runID: RunIdentifier, contextDigest: WireDigest, message: WireMessage
    ) {
        self.version = version
        self.runID = runID
        self.contextDigest = contextDigest
        self.message = message
    }
}
