/// A SHA-256 digest (FIPS 180-4): the content address of context blobs and of a run's context.
///
/// Computed here rather than through a system library so that the wire layer depends on nothing
/// but libzmq. Values are compared and hashed by their 32 bytes and shown as 64 hex digits.
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

extension Array where Element == UInt8 {
    /// The bytes as lower-case hex digits, two per byte.
    var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

// MARK: - Streaming computation

extension WireDigest {
    /// An incremental SHA-256 computation: feed bytes in any number of pieces, then finalize.
    public struct Hasher: Sendable {
        private var state: [UInt32] = [
            0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
        ]
        private var pending: [UInt8] = []
        private var totalLength: UInt64 = 0

        public init() {}

        /// Adds `data` to the message.
        public mutating func update(_ data: [UInt8]) {
            totalLength &+= UInt64(data.count)
            var start = 0
            if !pending.isEmpty {
                let take = Swift.min(64 - pending.count, data.count)
                pending.append(contentsOf: data[0..<take])
                start = take
                guard pending.count == 64 else { return }
                SHA256Compression.compress(blocks: pending, into: &state)
                pending.removeAll(keepingCapacity: true)
            }
            let wholeBlocks = (data.count - start) / 64 * 64
            if wholeBlocks > 0 {
                data.withUnsafeBytes { raw in
                    SHA256Compression.compress(
                        blocks: UnsafeRawBufferPointer(rebasing: raw[start..<(start + wholeBlocks)]), into: &state)
                }
            }
            pending.append(contentsOf: data[(start + wholeBlocks)...])
        }

        /// Pads the message (a 1 bit, zeros, the 64-bit bit length) and returns the digest.
        public consuming func finalize() -> WireDigest {
            let bitLength = totalLength &* 8
            var tail = pending
            tail.append(0x80)
            while tail.count % 64 != 56 { tail.append(0) }
            tail.append(contentsOf: (0..<8).reversed().map { UInt8(truncatingIfNeeded: bitLength >> ($0 * 8)) })
            SHA256Compression.compress(blocks: tail, into: &state)
            return WireDigest(
                validatedBytes: state.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) } })
        }
    }
}
