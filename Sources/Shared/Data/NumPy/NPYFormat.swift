import Foundation

/// NumPy's `.npy` format: a magic string, a version, a header dictionary, then raw elements.
///
/// Reads versions 1.0, 2.0 and 3.0 (they differ only in the width of the header length and the
/// header's text encoding) and writes 1.0. Arrays stored in Fortran order are reordered into C
/// order on reading, so `NDArray.elements` is always C order.
public enum NPYFormat {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the `.npy` file at `path`; the array is named after the file for error messages.
    ///
    /// - Throws: the errors of `DataFile.readBytes(_:)` and of `decode(_:path:arrayName:)`.
    /// - Complexity: O(n) in the file size.
    public static func read(path: String) throws -> NDArray {
        try decode(DataFile.readBytes(path), path: path, arrayName: DataFile.stem(of: path, removing: [".npy"]))
    }

    /// Writes `array` to `path` as an `.npy` file of version 1.0 in its own data type.
    ///
    /// - Throws: the errors of `encode(_:arrayName:path:)`; `.unwritableFile`.
    public static func write(_ array: NDArray, to path: String) throws {
        let name = DataFile.stem(of: path, removing: [".npy"])
        try DataFile.write(encode(array, arrayName: name, path: path), to: path)
    }

    /// Writes a float64 matrix to `path` as a 2-D `.npy` file, its elements copied once.
    ///
    /// - Throws: `.unwritableFile`.
    public static func write(_ matrix: Matrix, to path: String) throws {
        var data = Data(header(dataType: .float64, shape: [matrix.rows, matrix.columns]))
        matrix.elements.withUnsafeBytes { data.append(contentsOf: $0) }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError(
                .unwritableFile, path: path, "The file could not be written: \(error.localizedDescription)")
        }
    }

    /// Parses the bytes of an `.npy` file.
    ///
    /// - Parameters:
    ///   - bytes: the whole file (or archive member).
    ///   - path: the file, for error messages.
    ///   - arrayName: the array's name, for error locations.
    /// - Throws: `DataError.Code.badMagic` when the file is not `.npy`; `.unsupportedFormat` for
    ///   a version other than 1.0, 2.0, 3.0 or an element type outside `NumPyDataType`;
    ///   `.malformedHeader` for a header that does not parse; `.truncatedFile` when the file
    ///   ends before the header or the elements it announces; `.shapeMismatch` when more bytes
    ///   follow than the shape accounts for.
    /// - Complexity: O(n) in the number of elements.
    public static func decode(_ bytes: [UInt8], path: String, arrayName: String) throws -> NDArray {
        let fields = BinaryFields(bytes: bytes, path: path, overrunCode: .truncatedFile, arrayName: arrayName)
        let (header, dataOffset) = try readHeader(fields)
        guard let dataType = NumPyDataType(descriptor: header.descriptor) else {
            throw DataError(
                .unsupportedFormat, path: path, location: .array(arrayName),
                "Element type '\(header.descriptor)' is not supported; mtif reads float (f4, f8), integer "
                    + "(i1–i8, u1–u8) and boolean (b1) arrays. Convert the array with astype('<f8') first.")
        }
        let count = try elementCount(header.shape, fields)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dataType.byteCount)
        try checkDataLength(fields, dataOffset: dataOffset, expected: overflow ? Int.max : byteCount, header: header)
        var elements = bytes.withUnsafeBytes {
            ElementCoding.decode(UnsafeRawBufferPointer(rebasing: $0[dataOffset...]), count: count, as: dataType)
        }
        if header.isFortranOrder {
            elements = ElementCoding.cOrder(fromFortranOrder: elements, shape: header.shape)
        }
        return NDArray(shape: header.shape, elements: elements, dataType: dataType)
    }

    /// Serialises `array` as a version 1.0 `.npy` file in C order.
    ///
    /// - Throws: `DataError.Code.unrepresentableValue` when an element does not fit the array's
    ///   data type (a fraction or an out-of-range value for an integer type, a value other than
    ///   0 or 1 for booleans), naming the element.
    /// - Complexity: O(n) in the number of elements.
    public static func encode(_ array: NDArray, arrayName: String, path: String) throws -> [UInt8] {
        try header(dataType: array.dataType, shape: array.shape)
            + ElementCoding.encode(array.elements, as: array.dataType, path: path, arrayName: arrayName)
    }

    /// The bytes before the elements of a version 1.0, C-order `.npy` file: magic, version,
    /// header length and the header dictionary, padded so that the elements start at a
    /// multiple of 64 bytes (which keeps them aligned for any element type).
    ///
    /// Writers that stream elements (a scores file filled shard by shard) write this first.
    public static func header(dataType: NumPyDataType, shape: [Int]) -> [UInt8] {
        let header = NPYHeader(descriptor: dataType.descriptor, isFortranOrder: false, shape: shape)
        var text = Array(header.literal.utf8)
        let unpadded = magic.count + 4 + text.count + 1
        text += [UInt8](repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64) + [UInt8(ascii: "\n")]
        var bytes = magic + [1, 0]
        bytes.appendLittleEndian(UInt16(text.count), width: 2)
        return bytes + text
    }

    // MARK: - Reading steps

    /// Checks the magic string and version, then parses the header dictionary.
    ///
    /// - Returns: the header and the offset of the first element byte.
    private static func readHeader(_ fields: BinaryFields) throws -> (NPYHeader, Int) {
        let location = DataLocation.array(fields.arrayName ?? "")
        guard fields.bytes.starts(with: magic.prefix(fields.bytes.count)) else {
            throw DataError(
                .badMagic, path: fields.path, location: location,
                "Expected an .npy file starting with \\x93NUMPY, found bytes \(fields.bytes.prefix(6).hexadecimal). "
                    + "Save the array with numpy.save.")
        }
        let major = Int(try fields.littleEndian(at: 6, width: 1, for: "the format version"))
        let minor = Int(try fields.littleEndian(at: 7, width: 1, for: "the format version"))
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw DataError(
                .unsupportedFormat, path: fields.path, location: location,
                "Expected .npy format version 1.0, 2.0 or 3.0, found \(major).\(minor). "
                    + "Save the array again with numpy.save from NumPy 1.x or 2.x.")
        }
        let lengthWidth = major == 1 ? 2 : 4
        let headerLength = Int(try fields.littleEndian(at: 8, width: lengthWidth, for: "the header length"))
        let headerStart = 8 + lengthWidth
        try fields.require(offset: headerStart, count: headerLength, for: "a header of \(headerLength) bytes")
        let text = String(decoding: fields.bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        do {
            return (try NPYHeader(parsing: text), headerStart + headerLength)
        } catch {
            throw DataError(
                .malformedHeader, path: fields.path, location: location,
                "The header dictionary does not parse: \(error.reason). Found: \(text.prefix(120))")
        }
    }

    /// The number of elements a shape holds, refusing shapes whose product overflows.
    private static func elementCount(_ shape: [Int], _ fields: BinaryFields) throws -> Int {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw DataError(
                    .malformedHeader, path: fields.path, location: .array(fields.arrayName ?? ""),
                    "The shape \(shape) has more elements than any file can hold.")
            }
            count = product
        }
        return count
    }

    /// Compares the bytes after the header with what the shape and type need.
    private static func checkDataLength(
        _ fields: BinaryFields, dataOffset: Int, expected: Int, header: NPYHeader
    ) throws {
        let available = fields.bytes.count - dataOffset
        let location = DataLocation.array(fields.arrayName ?? "")
        if available < expected {
            throw DataError(
                .truncatedFile, path: fields.path, location: location,
                "The header announces shape \(header.shape) of '\(header.descriptor)', which needs \(expected) "
                    + "bytes of data, but only \(available) follow. The file is truncated; save it again.")
        }
        if available > expected {
            throw DataError(
                .shapeMismatch, path: fields.path, location: location,
                "The header announces shape \(header.shape) of '\(header.descriptor)', which needs \(expected) "
                    + "bytes of data, but \(available) follow. The header does not match the data; save it again.")
        }
    }
}
