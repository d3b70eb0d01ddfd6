/// One member of a zip archive as its central directory describes it, after validation.
struct ZipMember: Equatable {
    var name: String
    /// 0 for stored, 8 for deflated.
    var method: Int
    var crc32: UInt32
    var compressedCount: Int
    var uncompressedCount: Int
    /// Where the member's data starts (after its local header).
    var dataOffset: Int
}

/// The central directory of a zip archive, parsed without trusting any size or offset in it.
///
/// Reads the end-of-central-directory record (and its zip64 form, which NumPy's `savez` can
/// produce), every central-directory entry, and each member's local header. Every offset and
/// size is checked against the file length and against the regions already known (members lie
/// before the directory, the directory before its end record); any disagreement is a
/// `DataError` with code `.corruptArchive` naming the file and the member.
struct ZipDirectory {
    let members: [ZipMember]

    private static let endSignature = 0x0605_4b50
    private static let zip64EndSignature = 0x0606_4b50
    private static let zip64LocatorSignature = 0x0706_4b50
    private static let centralSignature = 0x0201_4b50
    private static let localSignature = 0x0403_4b50
    private static let saturated = 0xFFFF_FFFF

    /// Parses the directory of the archive in `fields`.
    ///
    /// - Throws: `DataError.Code.badMagic` when no end record exists (not a zip file);
    ///   `.corruptArchive` for out-of-range or inconsistent fields; `.unsupportedFormat` for
    ///   encrypted members or compression methods other than stored and deflate.
    /// - Complexity: O(size of the directory + 64 KiB).
    init(_ fields: BinaryFields) throws {
        let endOffset = try Self.findEnd(fields)
        var (entries, directorySize, directoryOffset) = (
            try fields.uint16(at: endOffset + 10, for: "the entry count"),
            try fields.uint32(at: endOffset + 12, for: "the directory size"),
            try fields.uint32(at: endOffset + 16, for: "the directory offset")
        )
        var directoryLimit = endOffset
        if entries == 0xFFFF || directorySize == Self.saturated || directoryOffset == Self.saturated {
            (entries, directorySize, directoryOffset, directoryLimit) = try Self.readZip64End(fields, endOffset)
        }
        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
            throw Self.corrupt(
                fields, nil,
                "The central directory (\(directorySize) bytes at \(directoryOffset)) overlaps its end record at "
                    + "\(directoryLimit).")
        }
        members = try Self.readEntries(fields, count: entries, from: directoryOffset, size: directorySize)
    }

    /// The offset of the end-of-central-directory record, searched backwards over the comment.
    private static func findEnd(_ fields: BinaryFields) throws -> Int {
        let last = fields.bytes.count - 22
        if last >= 0 {
            for offset in stride(from: last, through: max(0, last - 0xFFFF), by: -1)
            where try fields.uint32(at: offset, for: "a signature") == endSignature {
                return offset
            }
        }
        throw DataError(
            .badMagic, path: fields.path,
            "Expected a zip archive (as numpy.savez writes), but no end-of-central-directory record was found. "
                + "The file is not an .npz archive or is truncated.")
    }

    /// Reads the zip64 end record through its locator, just before the classic end record.
    private static func readZip64End(_ fields: BinaryFields, _ endOffset: Int) throws -> (Int, Int, Int, Int) {
        let locator = endOffset - 20
        guard locator >= 0, try fields.uint32(at: locator, for: "the zip64 locator") == zip64LocatorSignature else {
            throw corrupt(fields, nil, "The end record's fields are saturated but no zip64 locator precedes it.")
        }
        let record = try fields.uint64(at: locator + 8, for: "the zip64 end record offset")
        guard record < locator, try fields.uint32(at: record, for: "the zip64 end record") == zip64EndSignature else {
            throw corrupt(fields, nil, "The zip64 locator points at \(record), where no zip64 end record is.")
        }
        return (
            try fields.uint64(at: record + 32, for: "the zip64 entry count"),
            try fields.uint64(at: record + 40, for: "the zip64 directory size"),
            try fields.uint64(at: record + 48, for: "the zip64 directory offset"), record
        )
    }

    /// Parses `count` central-directory entries inside `offset..<offset + size`.
    private static func readEntries(
        _ fields: BinaryFields, count: Int, from offset: Int, size: Int
    ) throws
        -> [ZipMember]
    {
        var members: [ZipMember] = []
        var cursor = offset
        for _ in 0..<count {
            guard size - (cursor - offset) >= 46,
                try fields.uint32(at: cursor, for: "a directory entry") == centralSignature
            else {
                throw corrupt(
                    fields, nil, "The directory announces \(count) entries, but entry \(members.count) is missing.")
            }
            let (entry, next) = try readEntry(fields, at: cursor, directoryEnd: offset + size)
            guard !members.contains(where: { $0.name == entry.name }) else {
                throw corrupt(fields, entry.name, "The member appears twice in the directory.")
            }
            members.append(try locateData(of: entry, fields, directoryStart: offset))
            cursor = next
        }
        return members
    }

    /// A directory entry before its local header has been checked.
    private struct Entry {
        var name: String
        var method: Int
        var crc32: UInt32
        var compressedCount: Int
        var uncompressedCount: Int
        var localHeaderOffset: Int
    }

    /// Parses the entry at `cursor`; returns it and the offset of the next entry.
    private static func readEntry(_ fields: BinaryFields, at cursor: Int, directoryEnd: Int) throws -> (Entry, Int) {
        let nameLength = try fields.uint16(at: cursor + 28, for: "a name length")
        let extraLength = try fields.uint16(at: cursor + 30, for: "an extra-field length")
        let commentLength = try fields.uint16(at: cursor + 32, for: "a comment length")
        let next = cursor + 46 + nameLength + extraLength + commentLength
        guard next <= directoryEnd else {
            throw corrupt(fields, nil, "A directory entry at \(cursor) runs past the end of the directory.")
        }
        let name = String(decoding: fields.bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
        var entry = Entry(
            name: name, method: try fields.uint16(at: cursor + 10, for: "a method"),
            crc32: UInt32(try fields.uint32(at: cursor + 16, for: "a checksum")),
            compressedCount: try fields.uint32(at: cursor + 20, for: "a compressed size"),
            uncompressedCount: try fields.uint32(at: cursor + 24, for: "a size"),
            localHeaderOffset: try fields.uint32(at: cursor + 42, for: "a header offset"))
        try checkSupported(entry, flags: try fields.uint16(at: cursor + 8, for: "flags"), fields)
        try applyZip64Extra(to: &entry, fields, extra: (cursor + 46 + nameLength)..<(next - commentLength))
        return (entry, next)
    }

    /// Refuses encrypted members and compression methods other than stored (0) and deflate (8).
    private static func checkSupported(_ entry: Entry, flags: Int, _ fields: BinaryFields) throws {
        guard flags & 1 == 0, entry.method == 0 || entry.method == 8 else {
            let found = flags & 1 != 0 ? "an encrypted member" : "compression method \(entry.method)"
            throw DataError(
                .unsupportedFormat, path: fields.path, location: .array(entry.name),
                "Expected a stored or deflated member, found \(found). Write the archive with numpy.savez or "
                    + "numpy.savez_compressed.")
        }
    }

    /// Replaces saturated 32-bit fields with the 64-bit values of the zip64 extra field (id 1),
    /// which lists only the saturated ones, in a fixed order.
    private static func applyZip64Extra(to entry: inout Entry, _ fields: BinaryFields, extra: Range<Int>) throws {
        let wanted = [entry.uncompressedCount, entry.compressedCount, entry.localHeaderOffset].map {
            $0 == saturated
        }
        guard wanted.contains(true) else { return }
        var cursor = extra.lowerBound
        while extra.upperBound - cursor >= 4 {
            let id = try fields.uint16(at: cursor, for: "an extra-field id")
            let length = try fields.uint16(at: cursor + 2, for: "an extra-field length")
            guard length <= extra.upperBound - cursor - 4 else {
                throw corrupt(fields, entry.name, "An extra field runs past the end of its directory entry.")
            }
            guard id == 1 else {
                cursor += 4 + length
                continue
            }
            var values = [Int]()
            for position in 0..<min(length / 8, 3) {
                values.append(try fields.uint64(at: cursor + 4 + 8 * position, for: "a zip64 field"))
            }
            guard values.count >= wanted.filter({ $0 }).count else {
                throw corrupt(fields, entry.name, "The zip64 extra field is shorter than its entry needs.")
            }
            var source = values.makeIterator()
            if wanted[0] { entry.uncompressedCount = source.next()! }
            if wanted[1] { entry.compressedCount = source.next()! }
            if wanted[2] { entry.localHeaderOffset = source.next()! }
            return
        }
        throw corrupt(fields, entry.name, "Sizes are saturated but the entry has no zip64 extra field.")
    }

    /// Checks the member's local header and data range; returns the member with its data offset.
    private static func locateData(of entry: Entry, _ fields: BinaryFields, directoryStart: Int) throws -> ZipMember {
        let local = entry.localHeaderOffset
        guard local <= directoryStart - 30, try fields.uint32(at: local, for: "a local header") == localSignature
        else {
            throw corrupt(fields, entry.name, "The directory points at \(local), where no local header is.")
        }
        let nameLength = try fields.uint16(at: local + 26, for: "a local name length")
        let dataOffset = local + 30 + nameLength + (try fields.uint16(at: local + 28, for: "a local extra length"))
        guard dataOffset <= directoryStart, entry.compressedCount <= directoryStart - dataOffset else {
            throw corrupt(
                fields, entry.name,
                "The member claims \(entry.compressedCount) bytes at \(dataOffset), past the start of the "
                    + "directory at \(directoryStart).")
        }
        let localName = String(decoding: fields.bytes[(local + 30)..<(local + 30 + nameLength)], as: UTF8.self)
        guard localName == entry.name else {
            throw corrupt(fields, entry.name, "The local header names the member '\(localName)'.")
        }
        try checkSizes(entry, fields)
        return ZipMember(
            name: entry.name, method: entry.method, crc32: entry.crc32, compressedCount: entry.compressedCount,
            uncompressedCount: entry.uncompressedCount, dataOffset: dataOffset)
    }

    /// A stored member's two sizes must agree; a deflated one cannot expand past deflate's limit.
    private static func checkSizes(_ entry: Entry, _ fields: BinaryFields) throws {
        let largest =
            entry.method == 0
            ? entry.compressedCount
            : DeflateCodec.largestInflatedCount(compressedCount: entry.compressedCount)
        guard entry.method == 0 ? entry.uncompressedCount == largest : entry.uncompressedCount <= largest else {
            throw corrupt(
                fields, entry.name,
                "The member declares \(entry.uncompressedCount) bytes uncompressed from \(entry.compressedCount) "
                    + "stored, which its compression method cannot produce.")
        }
    }

    private static func corrupt(_ fields: BinaryFields, _ member: String?, _ detail: String) -> DataError {
        DataError(
            .corruptArchive, path: fields.path, location: member.map { .array($0) },
            detail + " The archive is damaged or was not written by a zip tool; write it again.")
    }
}
