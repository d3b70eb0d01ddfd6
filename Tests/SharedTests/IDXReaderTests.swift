import Testing

@testable import Shared

@Suite("IDX files (the MNIST family's format)")
struct IDXReaderTests {
    /// Two 2×3 images with distinct pixel values.
    static let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + Array(1...12)
    static let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4]

    @Test("Images and labels parse into their dimensions and bytes")
    func parses() throws {
        let stack = try IDXReader.decode(Self.images, path: "images", dimensionCount: 3)
        #expect(stack.dimensions == [2, 2, 3])
        #expect(stack.itemCount == 2 && stack.itemSize == 6)
        #expect(stack.elements == Array(1...12))
        let vector = try IDXReader.decode(Self.labels, path: "labels", dimensionCount: 1)
        #expect(vector.elements == [9, 0, 4])
    }

    @Test("A gzip-compressed IDX file reads like the raw one")
    func gzipFile() throws {
        let path = FixtureFiles.temporaryPath("-idx3-ubyte.gz")
        defer { FixtureFiles.remove(path) }
        try DataFile.write(DeflateCodec.gzip(Self.images), to: path)
        #expect(try IDXReader.read(path: path, dimensionCount: 3).elements == Array(1...12))
    }

    @Test("Labels read as images (swapped files) are a bad magic number")
    func swappedFiles() throws {
        let error = try #require(throws: DataError.self) {
            try IDXReader.decode(Self.labels, path: "labels", dimensionCount: 3)
        }
        #expect(error.code == .badMagic)
        #expect(error.message.contains("0x00000803"))
    }

    @Test("A non-byte element type is unsupported")
    func floatElements() throws {
        var bytes = Self.labels
        bytes[2] = 0x0D
        let error = try #require(throws: DataError.self) { try IDXReader.decode(bytes, path: "f", dimensionCount: 1) }
        #expect(error.code == .unsupportedFormat)
    }

    @Test("Missing pixels are a truncated file; extra bytes a shape mismatch")
    func wrongLength() throws {
        let short = try #require(throws: DataError.self) {
            try IDXReader.decode(Array(Self.images.dropLast()), path: "short", dimensionCount: 3)
        }
        #expect(short.code == .truncatedFile)
        let long = try #require(throws: DataError.self) {
            try IDXReader.decode(Self.images + [0], path: "long", dimensionCount: 3)
        }
        #expect(long.code == .shapeMismatch)
        let header = try #require(throws: DataError.self) {
            try IDXReader.decode(Array(Self.images.prefix(10)), path: "cut", dimensionCount: 3)
        }
        #expect(header.code == .truncatedFile)
    }
}
