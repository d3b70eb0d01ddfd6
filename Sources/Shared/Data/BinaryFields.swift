/// Bounds-checked reads of fixed-width integers from a file's bytes.
///
/// Binary headers (zip directories, `.npy` preambles, IDX dimensions) announce sizes and offsets
/// that must never be trusted: every read here checks its range first and throws with the
/// file, the byte offset and the code the caller chose for "this field lies past the end".
struct BinaryFields {
    let bytes: [UInt8]
    let path: String
    /// The code thrown when a read runs past the end: `.truncatedFile` for formats whose data
    /// simply stops, `.corruptArchive` for zip, whose offsets point anywhere.
    let overrunCode: DataError.Code
    /// The array or member being read, for error locations.
    var arrayName: String?

    /// Whether `count` bytes starting at `offset` lie inside the file.
    func contains(offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count && count <= bytes.count - offset
    }

    /// Throws unless `count` bytes at `offset` lie inside the file.
    ///
    /// - Parameter what: names the field or region, such as "the central directory".
    func require(offset: Int, count: Int, for what: String) throws {
        guard contains(offset: offset, count: count) else {
            let location: DataLocation = arrayName.map { .array($0) } ?? .byteOffset(offset)
            throw DataError(
                overrunCode, path: path, location: location,
                "Expected \(what) at bytes \(offset)..<\(offset &+ count), but the file has \(bytes.count) bytes. "
                    + "The file is truncated or damaged; write or download it again.")
        }
    }

    /// An unsigned little-endian integer of `width` bytes (at most 8).
    func littleEndian(at offset: Int, width: Int, for what: String) throws -> UInt64 {
        try require(offset: offset, count: width, for: what)
        var value: UInt64 = 0
        for index in (0..<width).reversed() {
            value = value << 8 | UInt64(bytes[offset + index])
        }
        return value
    }

    /// An unsigned big-endian integer of `width` bytes (at most 8).
    func bigEndian(at offset: Int, width: Int, for what: String) throws -> UInt64 {
        try require(offset: offset, count: width, for: what)
        var value: UInt64 = 0
        for index in 0..<width {
            value = value << 8 | UInt64(bytes[offset + index])
        }
        return value
    }

    /// A little-endian 16-bit field as `Int`.
    func uint16(at offset: Int, for what: String) throws -> Int {
        Int(try littleEndian(at: offset, width: 2, for: what))
    }

    /// A little-endian 32-bit field as `Int`.
    func uint32(at offset: Int, for what: String) throws -> Int {
        Int(try littleEndian(at: offset, width: 4, for: what))
    }

    /// A little-endian 64-bit field as `Int`; values past `Int.max` count as past the end.
    func uint64(at offset: Int, for what: String) throws -> Int {
        let value = try littleEndian(at: offset, width: 8, for: what)
        return value > UInt64(Int.max) ? Int.max : Int(value)
    }
}

/// Appends fixed-width little-endian integers, for writing binary headers.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: some FixedWidthInteger, width: Int) {
        for index in 0..<width {
            append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }
}
