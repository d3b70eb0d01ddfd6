/// A NumPy `.npz` archive: named arrays, each stored as an `.npy` member of a zip file.
///
/// Reading accepts what `numpy.savez` and `numpy.savez_compressed` write (stored or deflated
/// members, zip64 records); writing produces stored members, which NumPy reads back as usual.
public struct NPZArchive: Sendable, Equatable {
    /// Array names in archive order, without the `.npy` suffix.
    public private(set) var names: [String] = []
    private var arrays: [String: NDArray] = [:]

    /// An empty archive.
    public init() {}

    /// An archive holding `entries` in order.
    public init(_ entries: [(name: String, array: NDArray)]) {
        for entry in entries {
            self[entry.name] = entry.array
        }
    }

    /// The array called `name`, if any; setting adds it at the end or replaces it in place.
    public subscript(name: String) -> NDArray? {
        get { arrays[name] }
        set {
            if newValue == nil {
                names.removeAll { $0 == name }
            } else if arrays[name] == nil {
                names.append(name)
            }
            arrays[name] = newValue
        }
    }

    /// The array called `name`.
    ///
    /// - Parameter path: the archive's file, for the error message.
    /// - Throws: `DataError.Code.missingArray` listing the arrays that are there.
    public func array(_ name: String, path: String) throws -> NDArray {
        guard let array = arrays[name] else {
            throw DataError(
                .missingArray, path: path, location: .array(name),
                "Expected an array named '\(name)', found arrays \(names.map { "'\($0)'" }.joined(separator: ", ")). "
                    + "Save it with numpy.savez(path, \(name)=...).")
        }
        return array
    }

    // MARK: - Reading

    /// Reads the `.npz` file at `path`.
    ///
    /// - Throws: the errors of `DataFile.readBytes(_:)` and `decode(_:path:)`.
    public static func read(path: String) throws -> NPZArchive {
        try decode(DataFile.readBytes(path), path: path)
    }

    /// Parses the bytes of an `.npz` file.
    ///
    /// - Throws: `DataError.Code.badMagic` when the bytes are not a zip archive;
    ///   `.corruptArchive` when a size, offset or checksum disagrees with the file (every one is
    ///   checked); `.unsupportedFormat` for encrypted members or other compression methods;
    ///   `.corruptCompressedData` for a damaged deflate stream; every error of
    ///   `NPYFormat.decode(_:path:arrayName:)` for a member.
    /// - Complexity: O(n) in the archive's uncompressed size.
    public static func decode(_ bytes: [UInt8], path: String) throws -> NPZArchive {
        let directory = try ZipDirectory(BinaryFields(bytes: bytes, path: path, overrunCode: .corruptArchive))
        var archive = NPZArchive()
        for member in directory.members {
            let name = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
            let contents = try memberContents(member, of: bytes, path: path, arrayName: name)
            archive[name] = try NPYFormat.decode(contents, path: path, arrayName: name)
        }
        return archive
    }

    /// The uncompressed bytes of `member`, checked against its CRC-32.
    private static func memberContents(
        _ member: ZipMember, of bytes: [UInt8], path: String, arrayName: String
    )
        throws -> [UInt8]
    {
        let range = member.dataOffset..<(member.dataOffset + member.compressedCount)
        let contents =
            member.method == 0
            ? Array(bytes[range])
            : try bytes.withUnsafeBytes {
                try DeflateCodec.inflateRaw(
                    UnsafeRawBufferPointer(rebasing: $0[range]), expectedCount: member.uncompressedCount, path: path,
                    location: .array(arrayName))
            }
        let checksum = DeflateCodec.crc32(contents)
        guard checksum == member.crc32 else {
            throw DataError(
                .corruptArchive, path: path, location: .array(arrayName),
                "The member's CRC-32 is \(String(checksum, radix: 16)) but the directory records "
                    + "\(String(member.crc32, radix: 16)). The archive is damaged; write it again.")
        }
        return contents
    }
}
