import CZeroMQ

/// A ZeroMQ socket: a ROUTER, DEALER, PAIR, REQ or REP endpoint owned by one thread.
///
/// The socket is closed in `deinit`. Its linger is always finite (set at creation), so closing
/// never blocks longer than that on messages a vanished peer will not take.
///
/// - Important: A ZeroMQ socket is not thread-safe. Create it, use it and let it go on one
///   thread: this class is deliberately not `Sendable`. To talk between threads, give each
///   thread its own socket and connect them over `inproc://` in a shared `ZeroMQContext`.
public final class ZeroMQSocket {
    /// The socket patterns this project uses.
    public enum Kind: Sendable, CustomStringConvertible {
        /// Routes by peer identity; the first frame of each inbound message names the sender.
        case router
        /// Asynchronous request side of ROUTER: sends and receives freely.
        case dealer
        /// One-to-one, for signalling between two threads over `inproc://`.
        case pair
        /// Strict request-reply, replying side (ZAP handlers).
        case reply
        /// Strict request-reply, requesting side.
        case request

        var rawValue: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .pair: ZMQ_PAIR
            case .reply: ZMQ_REP
            case .request: ZMQ_REQ
            }
        }

        public var description: String {
            switch self {
            case .router: "ROUTER"
            case .dealer: "DEALER"
            case .pair: "PAIR"
            case .reply: "REP"
            case .request: "REQ"
            }
        }
    }

    public let kind: Kind
    /// Kept so that the context outlives the socket.
    let context: ZeroMQContext
    let handle: UnsafeMutableRawPointer
    /// The send timeout last given to libzmq, so that it is set only when it changes.
    var currentSendTimeout: Int32 = -1

    /// Creates a socket with a finite linger.
    ///
    /// - Parameters:
    ///   - kind: the socket pattern.
    ///   - context: the context whose I/O threads and `inproc://` namespace it uses.
    ///   - linger: how long closing may wait to deliver queued messages.
    /// - Throws: `WireError` when libzmq refuses (too many sockets, terminated context).
    public init(_ kind: Kind, context: ZeroMQContext, linger: Duration = .milliseconds(500)) throws {
        guard let handle = zmq_socket(context.handle, kind.rawValue) else {
            throw ZeroMQCall.error(.transport, "Could not create a \(kind) socket")
        }
        self.kind = kind
        self.context = context
        self.handle = handle
        try set(.linger(linger))
    }

    deinit {
        zmq_close(handle)
    }

    /// Sets one option; see `ZeroMQSocketOption` for when each takes effect.
    ///
    /// - Throws: `WireError.transport` for a value libzmq rejects (EINVAL).
    public func set(_ option: ZeroMQSocketOption) throws {
        try option.apply(to: handle)
    }

    /// Binds to `endpoint` (`tcp://host:port`, `ipc://path` or `inproc://name`); port 0 or `*`
    /// lets the system choose, and `lastEndpoint` tells which.
    ///
    /// - Throws: `WireError.transport` when the endpoint is malformed or in use.
    public func bind(to endpoint: String) throws {
        _ = try ZeroMQCall.retryingInterrupts("Could not bind a \(kind) socket to \(endpoint)") {
            zmq_bind(handle, endpoint)
        }
    }

    /// Connects to `endpoint`. The connection is made in the background and remade after
    /// failures; messages queue until it exists.
    ///
    /// - Throws: `WireError.transport` when the endpoint is malformed.
    public func connect(to endpoint: String) throws {
        _ = try ZeroMQCall.retryingInterrupts("Could not connect a \(kind) socket to \(endpoint)") {
            zmq_connect(handle, endpoint)
        }
    }

    /// The endpoint of the last `bind`, with any system-chosen port filled in
    /// (ZMQ_LAST_ENDPOINT).
    ///
    /// - Throws: `WireError.transport` when libzmq cannot report it.
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        _ = try ZeroMQCall.retryingInterrupts("Could not read the bound endpoint") {
            zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        }
        return ZeroMQCall.string(fromNulTerminated: buffer)
    }
}
