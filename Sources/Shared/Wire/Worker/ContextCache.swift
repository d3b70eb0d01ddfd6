import Synchronization

/// Context blobs a worker holds, by SHA-256 digest, so that a blob is received once however
/// many runs or reconnections use it.
///
/// Blobs enter only after their bytes were hashed and matched their digest.
///
/// - Important: Shared between the worker's I/O thread and its compute thread behind a lock,
///   hence `Sendable`. Nothing is evicted: a worker serving many runs with large contexts
///   should be restarted between them.
public final class ContextCache: Sendable {
    private let blobs = Mutex<[WireDigest: ContextBlob]>([:])

    public init() {}

    /// The digests of every cached blob, for the hello.
    public var digests: [WireDigest] {
        blobs.withLock { Array($0.keys) }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// The cached blob with this digest, if any, under the name `name`.
    func blob(digest: WireDigest, name: String) -> ContextBlob? {
        guard let cached = blobs.withLock({ $0[digest] }) else { return nil }
        return cached.name == name ? cached : ContextBlob(name: name, bytes: cached.bytes, digest: digest)
    }

    /// Verifies a received blob against its digest and stores it.
    ///
    /// - Throws: `WireError.contextMismatch` when the bytes do not hash to the digest.
    func store(_ blob: ContextBlob) throws {
        let actual = WireDigest.sha256(of: blob.bytes)
        guard actual == blob.digest else {
            throw WireError(
                .contextMismatch,
                "Context blob '\(blob.name)' hashes to \(actual), not to its announced digest \(blob.digest); "
                    + "it was corrupted in transit.")
        }
        blobs.withLock { $0[blob.digest] = blob }
    }
}
