/// A failure of the distributed job runner: the ZeroMQ transport, the wire protocol, the
/// scheduler or a worker.
///
/// Conditions the world causes are thrown as this type: a peer that vanished, a timeout, a
/// malformed or oversized message, a refused worker, a job that kept failing. When the error
/// comes from libzmq the C error number and libzmq's text for it are kept alongside the message.
public struct WireError: ReportableError {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case transport = "transport failure"
            case timeout = "timeout"
            case peerUnreachable = "peer unreachable"
            case contextTerminated = "context terminated"
            case malformedMessage = "malformed message"
            case messageTooLarge = "message too large"
            case unsupportedProtocolVersion = "unsupported protocol version"
            case refused = "refused"
            case coordinatorLost = "coordinator lost"
            case contextMismatch = "context mismatch"
            case jobFailed = "job failed"
            case invalidKey = "invalid key"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A libzmq call failed for a reason not listed below; `errorNumber` says which.
        public static let transport = Code(.transport)
        /// Nothing could be sent or received in the time allowed (libzmq's EAGAIN).
        public static let timeout = Code(.timeout)
        /// The peer a message was addressed to is no longer connected (EHOSTUNREACH).
        public static let peerUnreachable = Code(.peerUnreachable)
        /// The ZeroMQ context was terminated while a socket still used it (ETERM).
        public static let contextTerminated = Code(.contextTerminated)
        /// A frame does not follow the wire protocol: a length, count or field is wrong.
        public static let malformedMessage = Code(.malformedMessage)
        /// A frame is larger than the configured maximum frame size.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// A frame carries a protocol version this build does not speak.
        public static let unsupportedProtocolVersion = Code(.unsupportedProtocolVersion)
        /// The coordinator refused this worker; the message carries its reason.
        public static let refused = Code(.refused)
        /// The coordinator stopped answering for longer than the worker's timeout.
        public static let coordinatorLost = Code(.coordinatorLost)
        /// A context blob or the run's context does not match its announced SHA-256 digest.
        public static let contextMismatch = Code(.contextMismatch)
        /// A job failed on workers as many times as the scheduler allows.
        public static let jobFailed = Code(.jobFailed)
        /// A CURVE key or key file is malformed.
        public static let invalidKey = Code(.invalidKey)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// The C error number (`errno` as libzmq reports it), when the error came from libzmq.
    public let errorNumber: Int32?
    /// libzmq's text for `errorNumber` (`zmq_strerror`), when the error came from libzmq.
    public let errorText: String?
    /// For `jobFailed`: every failure the workers reported for the job, each naming its worker.
    public let remoteFailures: [String]
    public let site: ThrowSite

    public var category: FailureCategory {
        switch code {
        case .invalidKey: .usage
        case .malformedMessage, .messageTooLarge, .contextMismatch: .data
        default: .failure
        }
    }

    public init(
        _ code: Code, _ message: String, errorNumber: Int32? = nil, errorText: String? = nil,
        remoteFailures: [String] = [], site: ThrowSite = ThrowSite()
    ) {
        self.code = code
        self.message = message
        self.errorNumber = errorNumber
        self.errorText = errorText
        self.remoteFailures = remoteFailures
        self.site = site
    }

    /// A malformed-message error saying which field was wrong, what was expected and what was found.
    static func malformed(_ field: String, expected: String, found: String, site: ThrowSite = ThrowSite()) -> WireError
    {
        WireError(.malformedMessage, "Malformed \(field): expected \(expected), found \(found).", site: site)
    }
}
