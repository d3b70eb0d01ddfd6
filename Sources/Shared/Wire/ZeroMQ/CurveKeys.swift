import CZeroMQ
import Foundation

/// A CURVE public key: 32 bytes, shown and stored as 40 characters of Z85.
///
/// Public keys identify workers to the coordinator (the allow-list) and the coordinator to its
/// workers (the server key). They are not secret.
public struct CurvePublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 key bytes.
    ///
    /// - Throws: `WireError.invalidKey` when `bytes` is not 32 bytes long.
    public init(bytes: [UInt8]) throws {
        self.bytes = try CurveKeyPair.validatedKeyBytes(bytes)
    }

    /// Parses 40 characters of Z85; surrounding white space is ignored.
    ///
    /// - Throws: `WireError.invalidKey` for text that is not a 40-character Z85 key.
    public init(z85 text: String) throws {
        try self.init(bytes: CurveKeyPair.decodeKeyText(text))
    }

    /// The key as 40 characters of Z85.
    public var z85: String { Z85.encode(bytes) }

    public var description: String { z85 }
}

/// A CURVE secret key. Its description never shows the key.
public struct CurveSecretKey: Sendable, Equatable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 key bytes.
    ///
    /// - Throws: `WireError.invalidKey` when `bytes` is not 32 bytes long.
    public init(bytes: [UInt8]) throws {
        self.bytes = try CurveKeyPair.validatedKeyBytes(bytes)
    }

    /// Parses 40 characters of Z85; surrounding white space is ignored.
    ///
    /// - Throws: `WireError.invalidKey` for text that is not a 40-character Z85 key.
    public init(z85 text: String) throws {
        try self.init(bytes: CurveKeyPair.decodeKeyText(text))
    }

    /// The key as 40 characters of Z85, for writing a key file.
    public var z85: String { Z85.encode(bytes) }

    public var description: String { "<CURVE secret key>" }
}

/// A CURVE key pair (Curve25519), as libzmq generates it.
public struct CurveKeyPair: Sendable, Equatable {
    /// Length of a CURVE key in bytes.
    public static let keyLength = 32

    public let publicKey: CurvePublicKey
    public let secretKey: CurveSecretKey

    /// Generates a fresh key pair from the operating system's random source (`zmq_curve_keypair`).
    ///
    /// - Throws: `WireError.transport` when libzmq was built without CURVE support.
    public static func generate() throws -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw ZeroMQCall.error(.transport, "Could not generate a CURVE key pair (is libzmq built with CURVE?)")
        }
        return try CurveKeyPair(
            publicKey: CurvePublicKey(z85: ZeroMQCall.string(fromNulTerminated: publicText)),
            secretKey: CurveSecretKey(z85: ZeroMQCall.string(fromNulTerminated: secretText)))
    }

    /// The pair whose secret key is `secretKey`, deriving the public key (`zmq_curve_public`).
    ///
    /// - Throws: `WireError.transport` when libzmq was built without CURVE support.
    public init(secretKey: CurveSecretKey) throws {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Array(secretKey.z85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0 else {
            throw ZeroMQCall.error(.transport, "Could not derive a CURVE public key (is libzmq built with CURVE?)")
        }
        self.init(
            publicKey: try CurvePublicKey(z85: ZeroMQCall.string(fromNulTerminated: publicText)), secretKey: secretKey)
    }

    /// Pairs two keys the caller knows belong together.
    public init(publicKey: CurvePublicKey, secretKey: CurveSecretKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// `bytes` when it is a key's length, for both key types.
    ///
    /// - Throws: `WireError.invalidKey` naming the length found.
    static func validatedKeyBytes(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count == keyLength else {
            throw WireError(.invalidKey, "A CURVE key is 32 bytes, found \(bytes.count).")
        }
        return bytes
    }

    static func decodeKeyText(_ text: String) throws -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count == 40 else {
            throw WireError(.invalidKey, "A CURVE key in Z85 is 40 characters, found \(trimmed.utf8.count).")
        }
        return try Z85.decode(trimmed)
    }
}
