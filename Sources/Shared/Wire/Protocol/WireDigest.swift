/// A SHA-256 digest (FIPS 180-4): the content address of context blobs and of a run's context.
///
/// Computed by `SHA256` (Support), so the wire layer imports nothing but libzmq itself.
/// Values are compared and hashed by their 32 bytes and shown as 64 hex digits.
public struct WireDigest: Hashable, Sendable, CustomStringConvertible {
    /// Length of a digest in bytes.
    public static let length = 32

    /// The 32 digest bytes, most significant first as SHA-256 prints them.
    public let bytes: [UInt8]

    /// The all-zero value, which a worker sends when it does not yet know the run's context.
    public static let zero = WireDigest(validatedBytes: [UInt8](repeating: 0, count: length))

    /// Wraps 32 bytes.
    ///
    /// - Throws: `WireError.malformedMessage` when `bytes` is not 32 bytes long.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.length else {
            throw WireError.malformed("SHA-256 digest", expected: "32 bytes", found: "\(bytes.count)")
        }
        self.bytes = bytes
    }

    init(validatedBytes bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The SHA-256 digest of `data`.
    ///
    /// - Complexity: O(n); one pass over 64-byte blocks.
    public static func sha256(of data: [UInt8]) -> WireDigest {
        var hasher = Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The digest as 64 lower-case hex digits.
    public var hex: String { bytes.hexadecimal }

    public var description: String { hex }
}

// MARK: - Streaming computation

extension WireDigest {
    /// An incremental SHA-256 computation: feed bytes in any number of pieces, then finalize.
    public struct Hasher: Sendable {
        private var state = SHA256()

        public init() {}

        /// Adds `data` to the message.
        public mutating func update(_ data: [UInt8]) {
            state.update(data)
        }

        /// Returns the digest of everything added.
        public consuming func finalize() -> WireDigest {
            WireDigest(validatedBytes: state.finalize())
        }
    }
}
