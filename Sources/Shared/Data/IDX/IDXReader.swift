/// An array of unsigned bytes from an IDX file (the MNIST family's format).
///
/// `elements` holds the raw bytes in C order; the first dimension counts items (images or
/// labels), the rest give each item's shape (28 × 28 for an image, nothing for a label).
public struct IDXArray: Sendable, Equatable {
    public let dimensions: [Int]
    public let elements: [UInt8]

    /// The number of items along the first dimension.
    public var itemCount: Int { dimensions.first ?? 0 }

    /// The number of bytes per item: the product of the remaining dimensions.
    public var itemSize: Int { dimensions.dropFirst().reduce(1, *) }
}

/// Reads IDX files: a 4-byte magic number (0, 0, type, dimension count), big-endian 32-bit
/// dimensions, then the elements.
///
/// Only unsigned-byte data (type 0x08) is read: the magic number is 0x00000801 for a vector of
/// labels and 0x00000803 for a stack of images. Files ending in `.gz` are decompressed first.
public enum IDXReader {
    /// Reads an IDX file that must have `dimensionCount` dimensions.
    ///
    /// - Throws: the errors of `DataFile.readBytesDecompressing(_:)` and of
    ///   `decode(_:path:dimensionCount:)`.
    /// - Complexity: O(n) in the file size.
    public static func read(path: String, dimensionCount: Int) throws -> IDXArray {
        try decode(DataFile.readBytesDecompressing(path), path: path, dimensionCount: dimensionCount)
    }

    /// Parses IDX bytes.
    ///
    /// - Throws: `DataError.Code.badMagic` when the magic number is not 0x0000080N for
    ///   `N = dimensionCount`; `.unsupportedFormat` for element types other than unsigned bytes;
    ///   `.truncatedFile` when the file ends before its dimensions or elements; `.shapeMismatch`
    ///   when more bytes follow than the dimensions account for.
    public static func decode(_ bytes: [UInt8], path: String, dimensionCount: Int) throws -> IDXArray {
        let fields = BinaryFields(bytes: bytes, path: path, overrunCode: .truncatedFile)
        let magic = try fields.bigEndian(at: 0, width: 4, for: "the magic number")
        let expected = 0x0800 | UInt64(dimensionCount)
        guard magic >> 16 == 0, magic >> 8 & 0xff == 0x08 else {
            let problem = magic >> 16 == 0 ? DataError.Code.unsupportedFormat : .badMagic
            throw DataError(
                problem, path: path, location: .byteOffset(0),
                "Expected an IDX file of unsigned bytes (magic \(hex(expected))), found magic \(hex(magic)). "
                    + "Use the original MNIST-format files.")
        }
        guard magic == expected else {
            throw DataError(
                .badMagic, path: path, location: .byteOffset(0),
                "Expected \(dimensionCount) dimensions (magic \(hex(expected))), found \(magic & 0xff) "
                    + "(magic \(hex(magic))). Check that the images and labels files are not swapped.")
        }
        let dimensions = try (0..<dimensionCount).map {
            Int(try fields.bigEndian(at: 4 + 4 * $0, width: 4, for: "dimension \($0 + 1)"))
        }
        return IDXArray(
            dimensions: dimensions, elements: try elements(fields, after: 4 + 4 * dimensionCount, dimensions))
    }

    /// The element bytes after the header, which must be exactly as many as the dimensions say.
    private static func elements(_ fields: BinaryFields, after offset: Int, _ dimensions: [Int]) throws -> [UInt8] {
        let count = dimensions.reduce(1) { product, dimension in
            let (result, overflow) = product.multipliedReportingOverflow(by: dimension)
            return overflow ? Int.max : result  // no file holds Int.max bytes: reported as truncated
        }
        try fields.require(
            offset: offset, count: count, for: "\(dimensions.map(String.init).joined(separator: "×")) bytes")
        guard fields.bytes.count - offset == count else {
            throw DataError(
                .shapeMismatch, path: fields.path, location: .byteOffset(offset + count),
                "The header's dimensions \(dimensions) account for \(count) bytes, but "
                    + "\(fields.bytes.count - offset) follow. The file is damaged; download it again.")
        }
        return Array(fields.bytes[offset...])
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
