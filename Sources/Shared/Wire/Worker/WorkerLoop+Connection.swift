import Foundation

// MARK: - The connection to the coordinator

extension WorkerLoop {
    /// Creates a DEALER with a new routing identity and connects it to the coordinator.
    ///
    /// Linger zero: the worker leaves only after the coordinator ended the run (every result
    /// was taken) or was lost, or starts over on a new connection, so nothing still queued is
    /// worth delaying for.
    ///
    /// - Throws: `WireError` when the socket cannot be created, configured or connected.
    static func connectDealer(_ configuration: WorkerConfiguration, zeroMQ: ZeroMQContext) throws -> ZeroMQSocket {
        let dealer = try ZeroMQSocket(.dealer, context: zeroMQ, linger: .zero)
        try dealer.set(.maximumMessageSize(configuration.maximumFrameSize))
        try dealer.set(.routingID(makeRoutingID()))
        if let security = configuration.security {
            try dealer.set(.curveClient(serverKey: security.serverKey, keyPair: security.keyPair))
        }
        try dealer.connect(to: configuration.endpoint)
        return dealer
    }

    /// A routing identity for one connection: 16 random bytes, the first non-zero (libzmq keeps
    /// identities starting with zero for the ones it generates).
    ///
    /// libzmq re-establishes a dropped TCP connection by itself (one reset by a firewall or a
    /// restarted switch). With an identity of its own the worker then reaches the coordinator
    /// as the same peer, whose ROUTER hands the identity over to the new connection, and its
    /// session, lease and pending request go on. With an identity the ROUTER generated, the
    /// new connection would be a stranger there, and be refused.
    static func makeRoutingID() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return [UInt8.random(in: 1...UInt8.max, using: &generator)]
            + (1..<16).map { _ in UInt8.random(in: 0...UInt8.max, using: &generator) }
    }

    /// The hello for a new connection, listing the blobs cached so far.
    static func makeHello(_ worker: JobWorker) -> WorkerHello {
        WorkerHello(
            workerID: worker.configuration.workerID, jobKinds: worker.handlers.kinds,
            processorCount: UInt32(ProcessInfo.processInfo.activeProcessorCount), cachedBlobs: worker.cache.digests)
    }

    /// Greets the coordinator again on a new connection with a new routing identity.
    ///
    /// For the two moments at which a re-established connection can lose what the coordinator
    /// sent and no later message can make up for it: the welcome (the coordinator ignores a
    /// repeated hello from an identity it welcomed) and the context blobs (it sends them once,
    /// right after the welcome). Under a new identity the worker is a new peer, welcomed anew
    /// and sent only the blobs it has not cached; the old session, which holds no lease, is
    /// forgotten by the coordinator's silence limit.
    ///
    /// - Parameters:
    ///   - reason: why, for the log.
    ///   - level: the log line's level: debug while the coordinator may simply not be up yet,
    ///     notice when something was lost.
    /// - Precondition: no job runs (the worker is greeting or loading the context).
    func startOver(reason: String, level: Logger.Level) throws {
        precondition(runningJobID == nil, "A worker starts over only before it takes jobs")
        worker.logger.log(
            level, "greeting the coordinator again on a new connection",
            ["worker.id": configuration.workerID, "reason": reason])
        dealer = try Self.connectDealer(configuration, zeroMQ: zeroMQ)
        outbox.removeAll()
        phase = .greeting
        manifest = []
        missingBlobs = [:]
        hello = Self.makeHello(worker)
        try send(.hello(hello))
        greetingStartedAt = clock.now
        nextHeartbeat = clock.now + helloRepeatDelay()
    }
}
