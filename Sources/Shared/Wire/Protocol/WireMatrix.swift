#if _endian(big)
    #error("WireMatrix copies Double buffers as raw little-endian bytes; add byte swapping for big-endian hosts.")
#endif

/// The wire form of a `Matrix`: rows and columns as `UInt64` little-endian, then the
/// rows × columns elements in row-major order as raw IEEE 754 little-endian doubles.
///
/// Encoding and decoding copy the element block once with a memory copy, never element by
/// element. Decoding checks that the byte count is exactly 16 + 8 × rows × columns (with
/// overflow checks) and that each dimension fits a 32-bit BLAS index, so a lying dimension
/// throws instead of allocating or reading out of range.
/// The 16-byte prefix keeps the elements 8-byte aligned whenever the buffer is, which lets
/// `withElements` read them in place.
public enum WireMatrix {
    /// Bytes before the elements.
    static let prefixLength = 16

    /// The matrix as bytes.
    public static func encode(_ matrix: Matrix) -> [UInt8] {
        let elementBytes = matrix.elements.count * MemoryLayout<Double>.size
        var writer = WireWriter(capacity: prefixLength + elementBytes)
        writer.append(UInt64(matrix.rows))
        writer.append(UInt64(matrix.columns))
        var bytes = writer.bytes
        matrix.elements.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Decodes a matrix, copying its elements once.
    ///
    /// - Parameters:
    ///   - bytes: the encoded matrix.
    ///   - field: what the bytes are, for error messages ("payload rows").
    /// - Throws: `WireError.malformedMessage` when the byte count disagrees with the dimensions.
    public static func decode(_ bytes: [UInt8], field: String) throws -> Matrix {
        try withElements(of: bytes, field: field) { rows, columns, elements in
            Matrix(rows: rows, columns: columns, elements: Array(elements))
        }
    }

    /// Calls `body` with the dimensions and elements of an encoded matrix: in place when the
    /// elements are 8-byte aligned in memory, otherwise from one copy.
    ///
    /// - Throws: `WireError.malformedMessage` when the byte count disagrees with the
    ///   dimensions; whatever `body` throws.
    ///
    /// - Parameters:
    ///   - bytes: a buffer holding an encoded matrix from `offset` to its end.
    ///   - offset: where the encoded matrix starts.
    ///   - field: what the bytes are, for error messages.
    ///   - body: receives rows, columns and the row-major elements, valid only during the call.
    public static func withElements<Result>(
        of bytes: [UInt8], offset: Int = 0, field: String,
        _ body: (_ rows: Int, _ columns: Int, _ elements: UnsafeBufferPointer<Double>) throws -> Result
    ) throws -> Result {
        let (rows, columns) = try dimensions(of: bytes, offset: offset, field: field)
        return try bytes.withUnsafeBytes { raw in
            let elements = UnsafeRawBufferPointer(rebasing: raw[(offset + prefixLength)...])
            return try withElements(elements, rows: rows, columns: columns, body)
        }
    }

    /// Reads `rows × columns` doubles from raw bytes, in place when aligned.
    static func withElements<Result>(
        _ elementBytes: UnsafeRawBufferPointer, rows: Int, columns: Int,
        _ body: (Int, Int, UnsafeBufferPointer<Double>) throws -> Result
    ) rethrows -> Result {
        precondition(elementBytes.count == rows * columns * MemoryLayout<Double>.size, "Element bytes were checked")
        let isAligned = Int(bitPattern: elementBytes.baseAddress) % MemoryLayout<Double>.alignment == 0
        if isAligned {
            return try elementBytes.withMemoryRebound(to: Double.self) { try body(rows, columns, $0) }
        }
        let copy = [Double](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: elementBytes)
            count = rows * columns
        }
        return try copy.withUnsafeBufferPointer { try body(rows, columns, $0) }
    }

    /// Reads and checks the dimensions: 16 + 8 × rows × columns must equal the byte count.
    static func dimensions(of bytes: [UInt8], offset: Int, field: String) throws -> (rows: Int, columns: Int) {
        guard offset >= 0, offset <= bytes.count else {
            throw WireError.malformed(field, expected: "a matrix at offset \(offset)", found: "\(bytes.count) bytes")
        }
        var reader = WireReader(bytes, offset: offset)
        let rows = try reader.read(UInt64.self, "\(field) row count")
        let columns = try reader.read(UInt64.self, "\(field) column count")
        let available = UInt64(reader.remaining)
        let limit = UInt64(Int32.max)
        guard rows <= limit, columns <= limit else {
            throw WireError.malformed(
                "\(field) dimensions", expected: "at most \(limit) rows and columns", found: "\(rows)×\(columns)")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count <= available / 8, count * 8 == available else {
            throw WireError.malformed(
                field, expected: "\(rows)×\(columns) doubles", found: "\(available) bytes of elements")
        }
        return (Int(rows), Int(columns))
    }
}
