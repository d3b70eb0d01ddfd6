import CZeroMQ

/// A socket option, typed: each case carries its value in Swift terms.
///
/// Options apply to connections made after they are set, so set them before `bind` or
/// `connect`. CURVE options in particular must precede both.
public enum ZeroMQSocketOption: Sendable {
    /// How long `close` may wait to deliver messages still queued (ZMQ_LINGER).
    case linger(Duration)
    /// The identity a ROUTER peer sees for this socket (ZMQ_ROUTING_ID), 1 to 255 bytes.
    case routingID([UInt8])
    /// Whether a ROUTER reports an unroutable message as `peerUnreachable` instead of dropping
    /// it silently (ZMQ_ROUTER_MANDATORY).
    case routerMandatory(Bool)
    /// Whether a ROUTER hands a routing identity already in use to the newest connection that
    /// presents it, instead of refusing that connection (ZMQ_ROUTER_HANDOVER). A peer whose
    /// old connection is half-open after a network failure can then reconnect under its identity.
    case routerHandover(Bool)
    /// The largest inbound frame a peer may send; a peer that sends more is disconnected by
    /// libzmq before the frame is allocated (ZMQ_MAXMSGSIZE).
    case maximumMessageSize(Int)
    /// The number of outbound messages queued per peer before sending blocks (ZMQ_SNDHWM).
    case sendHighWaterMark(Int)
    /// The number of inbound messages queued per peer before reading from it stops (ZMQ_RCVHWM).
    case receiveHighWaterMark(Int)
    /// Makes this socket a CURVE server holding `secretKey` (ZMQ_CURVE_SERVER,
    /// ZMQ_CURVE_SECRETKEY). Which clients may connect is decided by a `ZAPAuthenticator`.
    case curveServer(secretKey: CurveSecretKey)
    /// Makes this socket a CURVE client that trusts only a server holding the secret key of
    /// `serverKey` and proves its own identity with `keyPair`.
    case curveClient(serverKey: CurvePublicKey, keyPair: CurveKeyPair)
    /// The ZAP domain this socket's connections are authenticated in (ZMQ_ZAP_DOMAIN).
    case authenticationDomain(String)
    /// Whether outbound messages queue only for completed connections (ZMQ_IMMEDIATE).
    case immediate(Bool)
    /// How long a security handshake may take before the connection is dropped (ZMQ_HANDSHAKE_IVL).
    case handshakeInterval(Duration)
    /// How long to wait before reconnecting a dropped connection (ZMQ_RECONNECT_IVL).
    case reconnectInterval(Duration)

    /// Applies the option to a raw socket handle.
    func apply(to handle: UnsafeMutableRawPointer) throws {
        switch self {
        case .linger(let duration): try setInteger(handle, ZMQ_LINGER, duration.roundedUpMilliseconds)
        case .routingID(let bytes): try setBytes(handle, ZMQ_ROUTING_ID, bytes)
        case .routerMandatory(let isOn): try setInteger(handle, ZMQ_ROUTER_MANDATORY, isOn ? 1 : 0)
        case .routerHandover(let isOn): try setInteger(handle, ZMQ_ROUTER_HANDOVER, isOn ? 1 : 0)
        case .maximumMessageSize(let size): try setInt64(handle, ZMQ_MAXMSGSIZE, Int64(size))
        case .sendHighWaterMark(let count): try setInteger(handle, ZMQ_SNDHWM, count)
        case .receiveHighWaterMark(let count): try setInteger(handle, ZMQ_RCVHWM, count)
        case .curveServer(let secretKey):
            try setInteger(handle, ZMQ_CURVE_SERVER, 1)
            try setBytes(handle, ZMQ_CURVE_SECRETKEY, secretKey.bytes)
        case .curveClient(let serverKey, let keyPair):
            try setBytes(handle, ZMQ_CURVE_SERVERKEY, serverKey.bytes)
            try setBytes(handle, ZMQ_CURVE_PUBLICKEY, keyPair.publicKey.bytes)
            try setBytes(handle, ZMQ_CURVE_SECRETKEY, keyPair.secretKey.bytes)
        case .authenticationDomain(let domain): try setBytes(handle, ZMQ_ZAP_DOMAIN, Array(domain.utf8))
        case .immediate(let isOn): try setInteger(handle, ZMQ_IMMEDIATE, isOn ? 1 : 0)
        case .handshakeInterval(let duration):
            try setInteger(handle, ZMQ_HANDSHAKE_IVL, duration.roundedUpMilliseconds)
        case .reconnectInterval(let duration):
            try setInteger(handle, ZMQ_RECONNECT_IVL, duration.roundedUpMilliseconds)
        }
    }

    private func setInteger(_ handle: UnsafeMutableRawPointer, _ name: Int32, _ value: Int) throws {
        var raw = Int32(clamping: value)
        try set(handle, name, &raw, MemoryLayout<Int32>.size)
    }

    private func setInt64(_ handle: UnsafeMutableRawPointer, _ name: Int32, _ value: Int64) throws {
        var raw = value
        try set(handle, name, &raw, MemoryLayout<Int64>.size)
    }

    private func setBytes(_ handle: UnsafeMutableRawPointer, _ name: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try set(handle, name, $0.baseAddress, $0.count) }
    }

    private func set(
        _ handle: UnsafeMutableRawPointer, _ name: Int32, _ value: UnsafeRawPointer?, _ size: Int
    )
        throws
    {
        _ = try ZeroMQCall.retryingInterrupts("Could not set socket option \(name)") {
            zmq_setsockopt(handle, name, value, size)
        }
    }
}
