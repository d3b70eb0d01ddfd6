import CZeroMQ
import Foundation

/// A libzmq context: the I/O threads and the namespace of `inproc://` endpoints that sockets
/// share.
///
/// Sockets keep their context alive, so a context outlives every socket made from it; its
/// `deinit` terminates it with `zmq_ctx_term`, which returns once every socket is closed. Every
/// socket sets a finite linger (see `ZeroMQSocket`), so termination never waits for ever on
/// unsent messages.
///
/// - Important: A context, unlike a socket, may be used from any thread: libzmq documents
///   contexts as thread-safe. That is why this class is `@unchecked Sendable`; it holds nothing
///   but the immutable handle. Two parties that talk over `inproc://` must use the same context.
public final class ZeroMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with libzmq's default of one I/O thread.
    ///
    /// - Throws: `WireError.transport` when libzmq cannot create a context (out of file
    ///   descriptors or memory).
    public init() throws {
        guard let handle = zmq_ctx_new() else {
            throw ZeroMQCall.error(.transport, "Could not create a ZeroMQ context")
        }
        self.handle = handle
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The version of the libzmq library loaded at run time, as "major.minor.patch".
    public static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether the loaded libzmq was built with CURVE security (libsodium or its own TweetNaCl).
    public static var supportsCurve: Bool { zmq_has("curve") != 0 }
}

/// Helpers shared by the ZeroMQ wrappers: turning libzmq's `errno` into `WireError`.
enum ZeroMQCall {
    /// The error for the `errno` libzmq reports right now, classified into a `WireError` code.
    ///
    /// EAGAIN becomes `timeout`, EHOSTUNREACH `peerUnreachable`, ETERM `contextTerminated`;
    /// anything else keeps `fallback`.
    static func error(_ fallback: WireError.Code, _ what: String, site: ThrowSite = ThrowSite()) -> WireError {
        let number = zmq_errno()
        let text = String(cString: zmq_strerror(number))
        let code: WireError.Code =
            switch number {
            case EAGAIN: .timeout
            case EHOSTUNREACH: .peerUnreachable
            case ETERM: .contextTerminated
            default: fallback
            }
        return WireError(
            code, "\(what): \(text) (errno \(number)).", errorNumber: number, errorText: text, site: site)
    }

    /// The text in a NUL-terminated C character buffer that libzmq filled.
    static func string(fromNulTerminated buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs a libzmq call that returns -1 on failure, retrying while it is interrupted by a
    /// signal (EINTR).
    ///
    /// - Returns: the call's non-negative result.
    /// - Throws: `WireError` for any other failure.
    static func retryingInterrupts(
        _ what: @autoclosure () -> String, site: ThrowSite = ThrowSite(), _ call: () -> Int32
    ) throws -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            if zmq_errno() != EINTR { throw error(.transport, what(), site: site) }
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up so that a short positive wait never
    /// becomes a busy zero-millisecond poll; negative durations give 0.
    var roundedUpMilliseconds: Int {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let partial = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int.max : Int(clamping: total + partial)
    }
}
