extension NPZArchive {
    /// Writes the archive to `path` as a zip file of `.npy` members (version 1.0).
    ///
    /// - Parameters:
    ///   - path: the file to create or replace.
    ///   - compressesMembers: deflate each member (as `numpy.savez_compressed` does) instead of
    ///     storing it.
    /// - Throws: `.unrepresentableValue` from `NPYFormat.encode(_:arrayName:path:)`;
    ///   `.unsupportedFormat` when a member or the archive passes 4 GiB (zip64 is not written);
    ///   `.unwritableFile`.
    public func write(to path: String, compressesMembers: Bool = false) throws {
        try DataFile.write(encode(path: path, compressesMembers: compressesMembers), to: path)
    }

    /// The bytes of the archive as `write(to:compressesMembers:)` stores them.
    ///
    /// - Complexity: O(n) in the total size of the arrays.
    public func encode(path: String, compressesMembers: Bool = false) throws -> [UInt8] {
        let members = try names.map { name in
            (name: "\(name).npy", contents: try NPYFormat.encode(self[name]!, arrayName: name, path: path))
        }
        return try Self.zip(members, path: path, compressesMembers: compressesMembers)
    }

    /// A zip archive of named byte strings, stored or deflated, without zip64 records.
    ///
    /// - Throws: `DataError.Code.unsupportedFormat` past 4 GiB.
    static func zip(
        _ members: [(name: String, contents: [UInt8])], path: String, compressesMembers: Bool
    ) throws
        -> [UInt8]
    {
        var bytes = [UInt8]()
        var directory = [UInt8]()
        for member in members {
            let stored = compressesMembers ? DeflateCodec.deflateRaw(member.contents) : member.contents
            let record = MemberRecord(
                name: Array(member.name.utf8), method: compressesMembers ? 8 : 0,
                crc32: DeflateCodec.crc32(member.contents), compressedCount: stored.count,
                uncompressedCount: member.contents.count, localHeaderOffset: bytes.count)
            try record.checkFits(path: path, memberName: member.name)
            bytes += record.localHeader + stored
            directory += record.directoryEntry
        }
        try MemberRecord.checkOffset(bytes.count, path: path)
        let directoryOffset = bytes.count
        bytes += directory
        bytes += endRecord(entries: members.count, directorySize: directory.count, directoryOffset: directoryOffset)
        return bytes
    }

    private static func endRecord(entries: Int, directorySize: Int, directoryOffset: Int) -> [UInt8] {
        var record = [UInt8]()
        record.appendLittleEndian(UInt32(0x0605_4b50), width: 4)
        record.appendLittleEndian(0, width: 4)  // this disk, disk with the directory
        record.appendLittleEndian(entries, width: 2)
        record.appendLittleEndian(entries, width: 2)
        record.appendLittleEndian(directorySize, width: 4)
        record.appendLittleEndian(directoryOffset, width: 4)
        record.appendLittleEndian(0, width: 2)  // comment length
        return record
    }
}

/// The fields a member's local header and directory entry share.
private struct MemberRecord {
    var name: [UInt8]
    var method: Int
    var crc32: UInt32
    var compressedCount: Int
    var uncompressedCount: Int
    var localHeaderOffset: Int

    /// 1980-01-01 00:00 in MS-DOS date format: zip has no "unknown date", and a fixed date keeps
    /// archives byte-for-byte reproducible.
    static let dosDate = 0x0021

    func checkFits(path: String, memberName: String) throws {
        guard uncompressedCount < 0xFFFF_FFFF, name.count <= 0xFFFF else {
            throw DataError(
                .unsupportedFormat, path: path, location: .array(memberName),
                "The member needs \(uncompressedCount) bytes; mtif writes .npz members below 4 GiB. "
                    + "Save it as a separate .npy file instead.")
        }
        try Self.checkOffset(localHeaderOffset, path: path)
    }

    static func checkOffset(_ offset: Int, path: String) throws {
        guard offset < 0xFFFF_FFFF else {
            throw DataError(
                .unsupportedFormat, path: path,
                "The archive passes 4 GiB; mtif writes .npz archives below that. Save large arrays as .npy files.")
        }
    }

    /// Version, flags, method, time, date, checksum and sizes: the fields both headers share.
    private var commonFields: [UInt8] {
        var fields = [UInt8]()
        fields.appendLittleEndian(20, width: 2)  // version needed: 2.0 (deflate)
        fields.appendLittleEndian(0, width: 2)  // flags
        fields.appendLittleEndian(method, width: 2)
        fields.appendLittleEndian(0, width: 2)  // time
        fields.appendLittleEndian(Self.dosDate, width: 2)
        fields.appendLittleEndian(crc32, width: 4)
        fields.appendLittleEndian(compressedCount, width: 4)
        fields.appendLittleEndian(uncompressedCount, width: 4)
        fields.appendLittleEndian(name.count, width: 2)
        fields.appendLittleEndian(0, width: 2)  // extra length
        return fields
    }

    var localHeader: [UInt8] {
        var header = [UInt8]()
        header.appendLittleEndian(UInt32(0x0403_4b50), width: 4)
        return header + commonFields + name
    }

    var directoryEntry: [UInt8] {
        var entry = [UInt8]()
        entry.appendLittleEndian(UInt32(0x0201_4b50), width: 4)
        entry.appendLittleEndian(20, width: 2)  // version made by
        entry += commonFields
        entry += [UInt8](repeating: 0, count: 10)  // comment length, disk, internal and external attributes
        entry.appendLittleEndian(localHeaderOffset, width: 4)
        return entry + name
    }
}
