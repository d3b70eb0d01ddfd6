import Foundation
import Testing

@testable import Shared

@Suite("NumPy .npz archives: reading, writing and distrust of zip fields")
struct NPZArchiveTests {
    static let sample = NPZArchive([
        ("X", NDArray(shape: [3, 2], elements: [1, 2, 3, 4, 5, 6])),
        ("y", NDArray(shape: [3], elements: [0, 1, 1], dataType: .int64)),
    ])

    @Test("An archive written by numpy.savez (stored, zip64 extras) reads with names and values")
    func readsSavez() throws {
        let archive = try NPZArchive.read(path: FixtureFiles.path("shared.npz"))
        #expect(archive.names == ["X", "Y"])
        let features = try archive.array("X", path: "shared.npz")
        #expect(features.shape == [6, 2] && features.elements == (1...12).map(Double.init))
        let targets = try archive.array("Y", path: "shared.npz")
        #expect(targets.dataType == .int64 && targets.elements == [0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0])
    }

    @Test("An archive written by numpy.savez_compressed (deflated) reads with names and values")
    func readsSavezCompressed() throws {
        let archive = try NPZArchive.read(path: FixtureFiles.path("disjoint.npz"))
        #expect(archive.names == ["X", "y", "task"])
        #expect(archive["y"]?.elements == [0.5, 1.5, -0.5, 2.0, 0.0, 1.0])
        #expect(archive["task"]?.dataType == .int32)
    }

    @Test("Writing then reading returns the same arrays, stored or deflated", arguments: [false, true])
    func roundTrip(compressed: Bool) throws {
        let path = FixtureFiles.temporaryPath(".npz")
        defer { FixtureFiles.remove(path) }
        try Self.sample.write(to: path, compressesMembers: compressed)
        #expect(try NPZArchive.read(path: path) == Self.sample)
    }

    @Test("A missing array names the arrays that are present")
    func missingArray() throws {
        let error = try #require(throws: DataError.self) { try Self.sample.array("Y", path: "a.npz") }
        #expect(error.code == .missingArray)
        #expect(error.message.contains("'X', 'y'"))
    }

    @Test("A compressed size that points past the directory is a corrupt archive")
    func lyingCompressedSize() throws {
        var bytes = try Self.sample.encode(path: "a.npz")
        let entry = try #require(Self.firstDirectoryEntry(in: bytes))
        Self.store(0x7FFF_0000, at: entry + 20, in: &bytes)
        let error = try #require(throws: DataError.self) { try NPZArchive.decode(bytes, path: "lie.npz") }
        #expect(error.code == .corruptArchive)
        #expect(error.location == .array("X.npy"))
    }

    @Test("An uncompressed size that disagrees with the stored size is a corrupt archive")
    func lyingUncompressedSize() throws {
        var bytes = try Self.sample.encode(path: "a.npz")
        let entry = try #require(Self.firstDirectoryEntry(in: bytes))
        Self.store(1 << 30, at: entry + 24, in: &bytes)
        let error = try #require(throws: DataError.self) { try NPZArchive.decode(bytes, path: "lie.npz") }
        #expect(error.code == .corruptArchive)
    }

    @Test("A deflated member whose declared size is wrong is a corrupt archive")
    func lyingDeflatedSize() throws {
        var bytes = try Self.sample.encode(path: "a.npz", compressesMembers: true)
        let entry = try #require(Self.firstDirectoryEntry(in: bytes))
        let declared = Int(bytes[entry + 24]) | Int(bytes[entry + 25]) << 8
        Self.store(UInt32(declared + 8), at: entry + 24, in: &bytes)
        let error = try #require(throws: DataError.self) { try NPZArchive.decode(bytes, path: "lie.npz") }
        #expect(error.code == .corruptArchive)
    }

    @Test("A local-header offset past the file or a wrong checksum is a corrupt archive")
    func lyingOffsetAndChecksum() throws {
        let original = try Self.sample.encode(path: "a.npz")
        let entry = try #require(Self.firstDirectoryEntry(in: original))
        var offset = original
        Self.store(UInt32(original.count + 100), at: entry + 42, in: &offset)
        var checksum = original
        checksum[entry + 16] ^= 0xff
        for bytes in [offset, checksum] {
            let error = try #require(throws: DataError.self) { try NPZArchive.decode(bytes, path: "lie.npz") }
            #expect(error.code == .corruptArchive)
        }
    }

    @Test("Bytes that are not a zip archive are a bad magic number")
    func notZip() throws {
        let error = try #require(throws: DataError.self) {
            try NPZArchive.decode(try FixtureFiles.bytes("float64.npy"), path: "x.npz")
        }
        #expect(error.code == .badMagic)
    }

    @Test("A truncated .npy member is reported with the archive and the array")
    func truncatedMember() throws {
        let short = NDArray(shape: [2], elements: [1, 2])
        var member = try NPYFormat.encode(short, arrayName: "X", path: "a.npz")
        member.removeLast(8)
        let bytes = try NPZArchive.zip([("X.npy", member)], path: "cut.npz", compressesMembers: false)
        let error = try #require(throws: DataError.self) { try NPZArchive.decode(bytes, path: "cut.npz") }
        #expect(error.code == .truncatedFile)
        #expect(error.message.hasPrefix("cut.npz, array 'X'"))
    }

    @Test("Zip64 sizes in the directory and a zip64 end record are read like the classic fields")
    func zip64Records() throws {
        let archive = NPZArchive([("X", NDArray(shape: [2, 2], elements: [1, 2, 3, 4]))])
        let classic = try archive.encode(path: "a.npz")
        #expect(try NPZArchive.decode(Self.zip64Variant(of: classic), path: "z64.npz") == archive)
    }

    // MARK: - Helpers

    /// Rewrites a one-member archive so that its directory entry keeps the sizes in a zip64
    /// extra field and its end record defers to a zip64 end record, as large archives do.
    static func zip64Variant(of bytes: [UInt8]) throws -> [UInt8] {
        let entry = try #require(firstDirectoryEntry(in: bytes))
        let endRecord = bytes.count - 22
        let sizes = Array(bytes[(entry + 20)..<(entry + 28)])  // compressed, uncompressed (32-bit each)
        var directory = Array(bytes[entry..<endRecord])
        store(0xFFFF_FFFF, at: 20, in: &directory)
        store(0xFFFF_FFFF, at: 24, in: &directory)
        directory[30] = 20  // extra-field length: 4-byte header + two 64-bit sizes
        var extra: [UInt8] = [1, 0, 16, 0]
        extra += sizes[4..<8] + [0, 0, 0, 0] + sizes[0..<4] + [0, 0, 0, 0]  // uncompressed first
        directory += extra

        var result = Array(bytes[..<entry]) + directory
        let zip64End = result.count
        var record: [UInt8] = [0x50, 0x4b, 0x06, 0x06]
        record += littleEndian(44, width: 8) + [45, 0, 45, 0] + [UInt8](repeating: 0, count: 8)
        record += littleEndian(1, width: 8) + littleEndian(1, width: 8)
        record += littleEndian(UInt64(directory.count), width: 8) + littleEndian(UInt64(entry), width: 8)
        let locator: [UInt8] =
            [0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0] + littleEndian(UInt64(zip64End), width: 8) + [1, 0, 0, 0]
        let end: [UInt8] =
            [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xff, count: 8) + [0, 0]
        result += record + locator + end
        return result
    }

    static func littleEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func firstDirectoryEntry(in bytes: [UInt8]) -> Int? {
        bytes.indices.first { bytes[$0...].starts(with: [0x50, 0x4b, 0x01, 0x02]) }
    }

    static func store(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }
}
