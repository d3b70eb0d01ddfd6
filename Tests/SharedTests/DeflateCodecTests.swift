import Testing

@testable import Shared

@Suite("gzip, raw deflate and CRC-32 through zlib")
struct DeflateCodecTests {
    /// Text with enough repetition to compress and enough variety to span several deflate blocks.
    static let sample: [UInt8] = (0..<50_000).map { UInt8(truncatingIfNeeded: ($0 * 7919) % 251 + ($0 / 1000)) }

    @Test("gzip then gunzip returns the original bytes")
    func gzipRoundTrip() throws {
        let compressed = DeflateCodec.gzip(Self.sample)
        #expect(compressed.count < Self.sample.count)
        #expect(try DeflateCodec.gunzip(compressed, path: "sample.gz") == Self.sample)
    }

    @Test("A multi-member gzip file decompresses to the concatenated members")
    func multiMember() throws {
        let first = Array("first member\n".utf8)
        let second = Array("second member\n".utf8)
        let joined = DeflateCodec.gzip(first) + DeflateCodec.gzip(second)
        #expect(try DeflateCodec.gunzip(joined, path: "two.gz") == first + second)
    }

    @Test("The empty input compresses and decompresses to empty")
    func emptyRoundTrip() throws {
        #expect(try DeflateCodec.gunzip(DeflateCodec.gzip([]), path: "empty.gz").isEmpty)
    }

    @Test("A truncated gzip file is corrupt compressed data naming the file")
    func truncatedGzip() throws {
        let compressed = DeflateCodec.gzip(Self.sample)
        let error = try #require(throws: DataError.self) {
            try DeflateCodec.gunzip(Array(compressed.prefix(compressed.count / 2)), path: "half.gz")
        }
        #expect(error.code == .corruptCompressedData)
        #expect(error.message.hasPrefix("half.gz"))
        #expect(error.message.contains("truncated"))
    }

    @Test("A gzip file with damaged bytes is corrupt compressed data with zlib's status")
    func damagedGzip() throws {
        var compressed = DeflateCodec.gzip(Self.sample)
        for offset in stride(from: 20, to: compressed.count - 8, by: 97) {
            compressed[offset] ^= 0x5a
        }
        let error = try #require(throws: DataError.self) { try DeflateCodec.gunzip(compressed, path: "bad.gz") }
        #expect(error.code == .corruptCompressedData)
        #expect(error.zlibStatus != nil)
    }

    @Test("Bytes that are not gzip at all are a bad magic number")
    func notGzip() throws {
        let error = try #require(throws: DataError.self) {
            try DeflateCodec.gunzip(Array("a,b\n1,2\n".utf8), path: "plain.csv.gz")
        }
        #expect(error.code == .badMagic)
    }

    @Test("Garbage after a complete member is corrupt compressed data")
    func trailingGarbage() throws {
        let bytes = DeflateCodec.gzip(Array("data".utf8)) + Array("junk".utf8)
        let error = try #require(throws: DataError.self) { try DeflateCodec.gunzip(bytes, path: "tail.gz") }
        #expect(error.code == .corruptCompressedData)
    }

    @Test("Raw deflate then inflate with the right size returns the original bytes")
    func rawRoundTrip() throws {
        let compressed = DeflateCodec.deflateRaw(Self.sample)
        let inflated = try compressed.withUnsafeBytes {
            try DeflateCodec.inflateRaw($0, expectedCount: Self.sample.count, path: "a.npz", location: .array("X"))
        }
        #expect(inflated == Self.sample)
    }

    @Test("Raw inflate with a declared size that is too small or too large is a corrupt archive")
    func rawSizeMismatch() throws {
        let compressed = DeflateCodec.deflateRaw(Self.sample)
        for declared in [Self.sample.count - 1, Self.sample.count + 1, 0] {
            let error = try #require(throws: DataError.self) {
                try compressed.withUnsafeBytes {
                    try DeflateCodec.inflateRaw($0, expectedCount: declared, path: "a.npz", location: .array("X"))
                }
            }
            #expect(error.code == .corruptArchive, "declared \(declared)")
        }
    }

    @Test("CRC-32 of the standard check string is 0xCBF43926")
    func crcCheckValue() {
        #expect(DeflateCodec.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(DeflateCodec.crc32([UInt8]()) == 0)
    }
}
