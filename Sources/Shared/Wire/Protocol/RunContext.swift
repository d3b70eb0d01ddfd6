/// A run's identity: 16 random bytes, shown as 32 hex digits.
///
/// Every message carries it, so that a worker or a late message from another run (a coordinator
/// restarted on the same endpoint) is recognised and refused.
public struct RunIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// Length of a run identifier in bytes.
    public static let length = 16

    public let bytes: [UInt8]

    /// The all-zero value, which a worker sends before it knows the run.
    public static let zero = RunIdentifier(validatedBytes: [UInt8](repeating: 0, count: length))

    /// Wraps 16 bytes.
    ///
    /// - Throws: `WireError.malformedMessage` when `bytes` is not 16 bytes long.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.length else {
            throw WireError.malformed("run identifier", expected: "16 bytes", found: "\(bytes.count)")
        }
        self.bytes = bytes
    }

    init(validatedBytes bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A fresh identifier drawn from `generator` (the system's random source by default).
    public static func random<Generator: RandomNumberGenerator>(using generator: inout Generator) -> RunIdentifier {
        RunIdentifier(validatedBytes: (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// A fresh identifier from the system's random source.
    public static func random() -> RunIdentifier {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String { bytes.hexadecimal }
}

/// One named piece of a run's immutable context (vectors, a checkpoint, dataset rows), with the
/// SHA-256 digest that addresses it in workers' caches.
public struct ContextBlob: Sendable, Equatable {
    public let name: String
    public let bytes: [UInt8]
    public let digest: WireDigest

    /// Wraps `bytes` under `name`, computing its digest.
    ///
    /// - Precondition: `name` is 1 to 1024 UTF-8 bytes.
    public init(name: String, bytes: [UInt8]) {
        self.init(name: name, bytes: bytes, digest: .sha256(of: bytes))
    }

    init(name: String, bytes: [UInt8], digest: WireDigest) {
        precondition(!name.isEmpty && name.utf8.count <= 1024, "Context blob names are 1 to 1024 bytes")
        self.name = name
        self.bytes = bytes
        self.digest = digest
    }

    /// The entry announcing this blob in a welcome.
    public var manifestEntry: ContextManifestEntry {
        ContextManifestEntry(name: name, digest: digest, size: UInt64(bytes.count))
    }
}

/// A blob as the welcome announces it: name, digest and size, without the bytes.
public struct ContextManifestEntry: Sendable, Equatable {
    public let name: String
    public let digest: WireDigest
    public let size: UInt64

    public init(name: String, digest: WireDigest, size: UInt64) {
        self.name = name
        self.digest = digest
        self.size = size
    }
}

/// Everything immutable a run's jobs read: its identifier and its context blobs.
///
/// The context digest that every message carries is SHA-256 over the blobs sorted by the UTF-8 bytes of
/// their names, each
/// contributing its name's UTF-8 byte count (`UInt16`, little-endian), the name and its 32-byte
/// digest. It changes when any blob changes, so a worker holding another context is refused.
public struct RunContext: Sendable {
    public let runID: RunIdentifier
    /// The blobs, sorted by the UTF-8 bytes of their names.
    public let blobs: [ContextBlob]
    public let digest: WireDigest

    /// Collects the blobs of a run.
    ///
    /// - Precondition: blob names are unique.
    public init(runID: RunIdentifier = .random(), blobs: [ContextBlob]) {
        let sorted = blobs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        precondition(Set(sorted.map(\.name)).count == sorted.count, "Context blob names must be unique")
        self.runID = runID
        self.blobs = sorted
        self.digest = Self.digest(of: sorted.map(\.manifestEntry))
    }

    /// The blobs' manifest, sorted by name.
    public var manifest: [ContextManifestEntry] { blobs.map(\.manifestEntry) }

    /// The context digest of a manifest, as defined above; the order of `entries` does not matter.
    public static func digest(of entries: [ContextManifestEntry]) -> WireDigest {
        var writer = WireWriter()
        for entry in entries.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            writer.appendName(entry.name)
            writer.appendFixed(entry.digest.bytes)
        }
        return .sha256(of: writer.bytes)
    }
}
