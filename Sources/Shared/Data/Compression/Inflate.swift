import CZlib

/// gzip files, raw deflate streams (zip members) and CRC-32, through zlib.
///
/// This file is the only Swift code that imports `CZlib`; every signature here speaks in bytes
/// and `DataError`s, never in zlib types. Decompression never trusts a size announced by the
/// data: output buffers grow as zlib fills them, or are capped at a size the caller validated.
public enum DeflateCodec {
    /// The largest expansion deflate can achieve: 1032 output bytes per input byte, plus slack
    /// for the stream's end. A declared size beyond this cannot be honest.
    public static func largestInflatedCount(compressedCount: Int) -> Int {
        compressedCount.multipliedReportingOverflow(by: 1032).partialValue + 1024
    }

    /// Decompresses a whole gzip file, concatenating its members.
    ///
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - path: the file, for error messages.
    /// - Returns: the uncompressed bytes of every member, in order.
    /// - Throws: `DataError.Code.badMagic` when `bytes` does not start like gzip;
    ///   `.corruptCompressedData` when zlib rejects a member, a member ends early (a truncated
    ///   download), or non-gzip bytes follow the last member.
    /// - Complexity: O(n) in the uncompressed size.
    public static func gunzip(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else {
            throw DataError(
                .badMagic, path: path, location: .byteOffset(0),
                "Expected a gzip file (starting with bytes 1f 8b), found \(bytes.prefix(2).hexadecimal). "
                    + "Give the uncompressed file a name without '.gz', or recompress it with gzip.")
        }
        let stream = try ZlibStream(inflatingWithWindowBits: 16 + MAX_WBITS, path: path)
        var output = [UInt8](repeating: 0, count: initialCapacity(forGzip: bytes))
        var produced = 0
        try bytes.withUnsafeBytes { input in
            stream.setInput(input)
            while true {
                let status = try stream.inflateStep(into: &output, produced: &produced, canGrow: true)
                guard status == Z_STREAM_END else { continue }
                let rest = stream.remainingInput
                if rest.isEmpty || rest.allSatisfy({ $0 == 0 }) { return }
                guard rest.starts(with: [0x1f, 0x8b]) else {
                    throw DataError(
                        .corruptCompressedData, path: path, location: .byteOffset(bytes.count - rest.count),
                        "Expected another gzip member or the end of the file after a complete member, found "
                            + "\(rest.count) other bytes. The file may be damaged; download it again.")
                }
                try stream.reset()
            }
        }
        return Array(output[0..<produced])
    }

    /// Inflates a raw deflate stream (no zlib or gzip wrapper) that must produce exactly
    /// `expectedCount` bytes.
    ///
    /// - Parameters:
    ///   - input: the compressed bytes.
    ///   - expectedCount: the uncompressed size the container declares. The caller checks it
    ///     against `largestInflatedCount(compressedCount:)` first, since it sizes the buffer.
    ///   - path: the file, for error messages.
    ///   - location: the member inside the file.
    /// - Throws: `DataError.Code.corruptCompressedData` for a stream zlib rejects or that ends
    ///   early; `.corruptArchive` when the stream inflates to a size other than `expectedCount`.
    /// - Complexity: O(expectedCount).
    public static func inflateRaw(
        _ input: UnsafeRawBufferPointer, expectedCount: Int, path: String, location: DataLocation?
    ) throws -> [UInt8] {
        let stream = try ZlibStream(inflatingWithWindowBits: -MAX_WBITS, path: path, location: location)
        var output = [UInt8](repeating: 0, count: expectedCount + 1)  // one spare byte catches overlong data
        var produced = 0
        stream.setInput(input)
        while try stream.inflateStep(into: &output, produced: &produced, canGrow: false) != Z_STREAM_END {
            guard produced <= expectedCount else { break }
        }
        guard produced == expectedCount else {
            let found = produced > expectedCount ? "more" : "\(produced)"
            throw DataError(
                .corruptArchive, path: path, location: location,
                "The member's header declares \(expectedCount) uncompressed bytes, but its data inflates to "
                    + "\(found). The archive is damaged; write it again.")
        }
        output.removeLast()
        return output
    }

    /// Compresses `bytes` into a single-member gzip file.
    ///
    /// - Complexity: O(n).
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        ZlibStream.deflate(bytes, windowBits: 16 + MAX_WBITS)
    }

    /// Compresses `bytes` into a raw deflate stream, as zip members store it.
    ///
    /// - Complexity: O(n).
    public static func deflateRaw(_ bytes: [UInt8]) -> [UInt8] {
        ZlibStream.deflate(bytes, windowBits: -MAX_WBITS)
    }

    /// The CRC-32 (ISO 3309, as in zip and gzip) of `buffer`.
    ///
    /// - Complexity: O(n).
    public static func crc32(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        return UInt32(crc32_z(0, base.assumingMemoryBound(to: Bytef.self), z_size_t(buffer.count)))
    }

    /// The CRC-32 of `bytes`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// A first output size: the gzip trailer's length field (the size modulo 2³² of the last
    /// member), trusted only within deflate's largest possible expansion.
    private static func initialCapacity(forGzip bytes: [UInt8]) -> Int {
        let floor = max(4096, bytes.count * 4)
        guard bytes.count >= 18 else { return floor }
        let tail = bytes[(bytes.count - 4)...]
        let announced = tail.reversed().reduce(0) { $0 << 8 | Int($1) }
        return announced <= largestInflatedCount(compressedCount: bytes.count) ? max(announced, 4096) : floor
    }
}

// MARK: - The owned zlib stream

/// One zlib stream, owned: allocated on the heap (zlib keeps a pointer back to it, so it must
/// never move) and ended in `deinit`.
///
/// - Important: a stream is used by one thread at a time and lives only inside one call of
///   `DeflateCodec`.
final class ZlibStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private let isInflating: Bool
    private let path: String
    private let location: DataLocation?
    private var input = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Starts an inflating stream.
    ///
    /// - Parameter windowBits: zlib's convention: `16 + 15` for gzip, `-15` for raw deflate.
    /// - Throws: `DataError.Code.corruptCompressedData` if zlib cannot start (out of memory).
    init(inflatingWithWindowBits windowBits: Int32, path: String, location: DataLocation? = nil) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        isInflating = true
        self.path = path
        self.location = location
        let status = inflateInit2_(stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {  // deinit still runs and frees the stream
            throw DataError(
                .corruptCompressedData, path: path, location: location,
                "zlib could not start decompressing (status \(status)); the machine may be out of memory.",
                zlibStatus: Int(status))
        }
    }

    private init(deflatingWithWindowBits windowBits: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        isInflating = false
        path = ""
        location = nil
        let status = deflateInit2_(
            stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib could not start compressing (status \(status))")
    }

    deinit {
        if isInflating {
            inflateEnd(stream)
        } else {
            deflateEnd(stream)
        }
        stream.deallocate()
    }

    /// Points the stream at `buffer`, which must stay valid while the stream reads it.
    func setInput(_ buffer: UnsafeRawBufferPointer) {
        precondition(buffer.count <= Int(UInt32.max), "zlib input larger than 4 GiB")
        input = buffer
        let base = buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
        stream.pointee.next_in = base?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(buffer.count)
    }

    /// The input bytes zlib has not consumed yet.
    var remainingInput: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: input[(input.count - Int(stream.pointee.avail_in))...])
    }

    /// Restarts decompression at the current input position (for the next gzip member).
    func reset() throws {
        let status = inflateReset(stream)
        guard status == Z_OK else { throw failure(status, "zlib could not restart for the next member") }
    }

    /// Runs inflate once into the free part of `output`, growing it first when full and allowed.
    ///
    /// - Returns: `Z_OK` or `Z_STREAM_END`.
    /// - Throws: `DataError.Code.corruptCompressedData` for rejected or truncated data.
    func inflateStep(into output: inout [UInt8], produced: inout Int, canGrow: Bool) throws -> Int32 {
        if produced == output.count {
            guard canGrow else { return Z_OK }
            output += [UInt8](repeating: 0, count: max(output.count, 4096))
        }
        let free = min(output.count - produced, Int(UInt32.max))
        let status = output.withUnsafeMutableBytes { buffer in
            stream.pointee.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(free)
            return inflate(stream, Z_NO_FLUSH)
        }
        produced += free - Int(stream.pointee.avail_out)
        return try check(status)
    }

    /// Classifies an inflate status: progress, the end of a member, or a failure to report.
    private func check(_ status: Int32) throws -> Int32 {
        let isStarved = stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0
        switch status {
        case Z_STREAM_END:
            return status
        case Z_OK where !isStarved:
            return status
        case Z_OK, Z_BUF_ERROR:
            throw DataError(
                .corruptCompressedData, path: path, location: location,
                "The compressed data ends before its stream does: the file is truncated. "
                    + "Download or write it again.", zlibStatus: Int(status))
        default:
            throw failure(status, "zlib rejected the compressed data")
        }
    }

    private func failure(_ status: Int32, _ summary: String) -> DataError {
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "no detail"
        return DataError(
            .corruptCompressedData, path: path, location: location,
            "\(summary) (zlib status \(status): \(reason)). The file is damaged; download or write it again.",
            zlibStatus: Int(status))
    }

    /// Compresses `bytes` in one pass into the smallest buffer zlib guarantees is enough.
    static func deflate(_ bytes: [UInt8], windowBits: Int32) -> [UInt8] {
        let owner = ZlibStream(deflatingWithWindowBits: windowBits)
        let stream = owner.stream
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))))
        bytes.withUnsafeBytes { input in
            owner.setInput(input)
            output.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                let status = CZlib.deflate(stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into a deflateBound buffer must finish")
            }
        }
        return Array(output[0..<Int(stream.pointee.total_out)])
    }
}
