import Foundation

/// How a worker connects and how long it waits for its coordinator.
public struct WorkerConfiguration: Sendable {
    /// The coordinator's endpoint, as `JobScheduler.endpoint` reports it.
    public var endpoint: String
    /// A name for the coordinator's logs and statistics: host name and process id by default.
    public var workerID: String
    /// How long the coordinator may stay silent (no welcome, no heartbeat reply) before the
    /// worker gives up. Coordinators answer every heartbeat, so a live one is never silent for
    /// more than a heartbeat interval plus the network's delay.
    public var coordinatorTimeout: Duration
    /// CURVE keys; `nil` for plain connections.
    public var security: CurveClientSecurity?
    /// When set, the worker serves only this run: the coordinator refuses it otherwise.
    public var expectedRunID: RunIdentifier?
    /// When set, the worker serves only a run with this context: the coordinator refuses it
    /// otherwise.
    public var expectedContextDigest: WireDigest?
    /// The largest frame the worker sends or accepts; must match the coordinator's.
    public var maximumFrameSize: Int
    /// How long the worker repeats its hello on one connection before it starts over on a new
    /// connection with a new routing identity: a welcome lost with a connection that libzmq
    /// re-established is never repeated for the old identity. Hellos go out every second, so
    /// values under a second act as one second.
    public var welcomePatience: Duration

    public init(
        endpoint: String, workerID: String = WorkerConfiguration.defaultWorkerID,
        coordinatorTimeout: Duration = .seconds(60), security: CurveClientSecurity? = nil,
        expectedRunID: RunIdentifier? = nil, expectedContextDigest: WireDigest? = nil,
        maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize, welcomePatience: Duration = .seconds(5)
    ) {
        precondition(coordinatorTimeout > .zero, "The coordinator timeout must be positive")
        precondition(welcomePatience > .zero, "The welcome patience must be positive")
        precondition(
            maximumFrameSize >= 1024 && maximumFrameSize <= WireProtocol.frameSizeLimit,
            "The maximum frame size must lie between 1 KiB and 2 GiB")
        self.endpoint = endpoint
        self.workerID = workerID
        self.coordinatorTimeout = coordinatorTimeout
        self.security = security
        self.expectedRunID = expectedRunID
        self.expectedContextDigest = expectedContextDigest
        self.maximumFrameSize = maximumFrameSize
        self.welcomePatience = welcomePatience
    }

    /// "host-pid", for telling workers apart in logs.
    public static var defaultWorkerID: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// The worker's side of CURVE: the coordinator's public key and the worker's own key pair.
public struct CurveClientSecurity: Sendable {
    /// The coordinator's public key: the worker talks to no server without its secret key.
    public var serverKey: CurvePublicKey
    /// The worker's key pair; its public key must be on the coordinator's allow-list.
    public var keyPair: CurveKeyPair

    public init(serverKey: CurvePublicKey, keyPair: CurveKeyPair) {
        self.serverKey = serverKey
        self.keyPair = keyPair
    }
}

/// What a worker did before its coordinator told it to stop.
public struct WorkerSummary: Sendable, Equatable {
    /// The run the worker served.
    public var runID: RunIdentifier
    /// Results sent.
    public var jobsCompleted = 0
    /// Failures reported.
    public var jobsFailed = 0
    /// Context blobs received (the rest came from the cache).
    public var blobsReceived = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    /// The coordinator's reason for the shutdown.
    public var shutdownReason = ""
    /// Whether the coordinator said another run follows on the same endpoint.
    public var nextRunFollows = false
}
