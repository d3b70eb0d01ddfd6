import Foundation
import Synchronization

/// Decides which CURVE clients may connect to the CURVE server sockets of one context: a ZAP
/// handler (ZeroMQ RFC 27) that accepts exactly the client public keys on its allow-list.
///
/// libzmq asks the handler bound to `inproc://zeromq.zap.01` in the server socket's context
/// about every connection attempt, during the CURVE handshake and before any message frame is
/// exchanged. A client whose key is not listed is refused with status 400: its handshake fails
/// and it never sends or receives a frame. Start the authenticator before binding the server
/// socket; a CURVE server in a context without a handler accepts every client.
///
/// - Important: A ZeroMQ socket belongs to one thread. The handler's REP socket is created,
///   bound, used and closed on the authenticator's own thread and nothing else touches it; the
///   object itself holds only the allow-list and counters, behind locks, which is why it is
///   `Sendable`. Only one authenticator can run per context (the endpoint is fixed), and it
///   must be stopped (or released) before the context can terminate.
public final class ZAPAuthenticator: Sendable {
    /// The endpoint libzmq sends authentication requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// Counts of connection attempts decided so far.
    public struct Statistics: Sendable, Equatable {
        public var accepted = 0
        public var denied = 0
    }

    private let state: ZAPHandlerState

    /// Binds the handler on a new thread and returns once it is listening.
    ///
    /// - Parameters:
    ///   - context: the context of the server sockets to protect.
    ///   - allowedClientKeys: the public keys that may connect; an empty list refuses everyone.
    /// - Throws: `WireError.transport` when the endpoint is taken (another authenticator runs
    ///   in this context) or the socket cannot be made.
    public init(context: ZeroMQContext, allowedClientKeys: Set<CurvePublicKey>) throws {
        let state = ZAPHandlerState(allowedClientKeys: allowedClientKeys)
        let thread = Thread { state.serve(in: context) }
        thread.name = "mtif.zap"
        thread.start()
        state.started.wait()
        if let failure = state.startFailure.withLock({ $0 }) { throw failure }
        self.state = state
    }

    deinit {
        stop()
    }

    /// How many connection attempts were accepted and denied.
    public var statistics: Statistics { state.statistics.withLock { $0 } }

    /// Stops the handler thread and waits until its socket is closed. Safe to call twice.
    public func stop() {
        guard !state.isStopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        state.finished.wait()
    }
}

/// The state the handler thread shares with its owner: locks and semaphores only, no socket.
private final class ZAPHandlerState: Sendable {
    let allowedClientKeys: Set<CurvePublicKey>
    let isStopping = Atomic<Bool>(false)
    let statistics = Mutex(ZAPAuthenticator.Statistics())
    let startFailure = Mutex<WireError?>(nil)
    let started = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)

    /// How long the handler waits for a request before looking at the stop flag again.
    private static let stopCheckInterval = Duration.milliseconds(20)

    init(allowedClientKeys: Set<CurvePublicKey>) {
        self.allowedClientKeys = allowedClientKeys
    }

    /// The thread body: serve until stopped, then signal that the socket is closed.
    func serve(in context: ZeroMQContext) {
        do {
            try serveRequests(in: context)
        } catch let error as WireError {
            startFailure.withLock { $0 = error }
            started.signal()
        } catch {
            startFailure.withLock { $0 = WireError(.transport, "ZAP handler failed: \(error)") }
            started.signal()
        }
        finished.signal()
    }

    /// Owns the REP socket for its whole life; it is closed when this function returns.
    private func serveRequests(in context: ZeroMQContext) throws {
        let socket = try ZeroMQSocket(.reply, context: context, linger: .zero)
        try socket.bind(to: ZAPAuthenticator.endpoint)
        started.signal()
        while !isStopping.load(ordering: .acquiring) {
            guard try socket.waitUntilReadable(timeout: Self.stopCheckInterval),
                let request = try socket.receiveIfReady()
            else { continue }
            try socket.send(reply(to: request), timeout: Self.stopCheckInterval)
        }
    }

    /// The ZAP reply: version, request id, status code, status text, user id, metadata.
    ///
    /// A request is version "1.0", request id, domain, address, routing id, mechanism and, for
    /// CURVE, one credential frame holding the client's 32-byte public key.
    func reply(to request: [[UInt8]]) -> [[UInt8]] {
        let requestID = request.count > 1 ? request[1] : []
        let accepted = isAllowed(request)
        statistics.withLock { accepted ? ($0.accepted += 1) : ($0.denied += 1) }
        if accepted, let key = try? CurvePublicKey(bytes: request[6]) {
            return [Array("1.0".utf8), requestID, Array("200".utf8), Array("OK".utf8), Array(key.z85.utf8), []]
        }
        return [Array("1.0".utf8), requestID, Array("400".utf8), Array("client key not authorised".utf8), [], []]
    }

    private func isAllowed(_ request: [[UInt8]]) -> Bool {
        guard request.count == 7, request[0] == Array("1.0".utf8), request[5] == Array("CURVE".utf8),
            let key = try? CurvePublicKey(bytes: request[6])
        else { return false }
        return allowedClientKeys.contains(key)
    }
}
