import CCrypto

/// The SHA-256 hash function (FIPS 180-4), fed incrementally.
///
/// Used for dataset and model fingerprints, checkpoint archives and the digests that address
/// context blobs in workers' caches, where hundreds of megabytes of inverse-Hessian products
/// are hashed by the coordinator and again by every worker. OpenSSL's implementation uses the
/// CPU's SHA instructions where there are any (about 2 GB/s here, against about 0.1 GB/s for
/// straightforward Swift), so this is the only file that imports libcrypto.
///
/// A value type: a copy hashes on independently of the original (the OpenSSL context is
/// duplicated on the first update after a copy).
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(Array("abc".utf8))
/// let hex = hasher.finalize().hexadecimal
/// ```
///
/// - Complexity: O(n) in the number of bytes hashed.
public struct SHA256: Sendable {
    private var context = DigestContext()

    public init() {}

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds the bytes of a raw buffer.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        context.check(EVP_DigestUpdate(context.pointer, base, buffer.count), "EVP_DigestUpdate")
    }

    /// Pads the message, processes the last blocks and returns the 32-byte digest.
    ///
    /// Call it once: the hasher's state is spent afterwards.
    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        context.check(EVP_DigestFinal_ex(context.pointer, &digest, &length), "EVP_DigestFinal_ex")
        precondition(length == 32, "SHA-256 produced \(length) bytes instead of 32")
        return Array(digest.prefix(32))
    }
}

/// An OpenSSL digest context initialised for SHA-256, freed with its owner.
///
/// - Important: Not synchronised. `SHA256` mutates it only while it holds the only reference,
///   which is what makes the unchecked `Sendable` sound.
private final class DigestContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        guard let pointer = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        self.pointer = pointer
        check(EVP_DigestInit_ex(pointer, EVP_sha256(), nil), "EVP_DigestInit_ex")
    }

    private init(copying other: DigestContext) {
        guard let pointer = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        self.pointer = pointer
        check(EVP_MD_CTX_copy_ex(pointer, other.pointer), "EVP_MD_CTX_copy_ex")
    }

    deinit {
        EVP_MD_CTX_free(pointer)
    }

    /// A context that continues from this one's state.
    func copy() -> DigestContext {
        DigestContext(copying: self)
    }

    /// Stops on an OpenSSL failure, which for an initialised SHA-256 context means memory ran out.
    func check(_ status: Int32, _ function: String) {
        precondition(status == 1, "\(function) failed (OpenSSL returned \(status))")
    }
}
extension Collection<UInt8> {
    /// The bytes as lowercase hexadecimal digits, two per byte.
    public var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
