/// Builds a frame from little-endian fields, each length written before its bytes.
///
/// Field widths are fixed by the protocol (see docs/protocol.md): `UInt16`-prefixed names,
/// `UInt32`-prefixed texts and `UInt64`-prefixed byte blobs.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes with no length in front, for fixed-size fields (identifiers, digests).
    mutating func appendFixed(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }

    /// Appends a name: `UInt16` byte count, then UTF-8.
    ///
    /// - Precondition: at most 65 535 UTF-8 bytes (names are checked where they enter).
    mutating func appendName(_ text: String) {
        let utf8 = Array(text.utf8)
        precondition(utf8.count <= Int(UInt16.max), "Name of \(utf8.count) bytes exceeds the 64 KiB field")
        append(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends a text: `UInt32` byte count, then UTF-8.
    mutating func appendText(_ text: String) {
        let utf8 = Array(text.utf8)
        append(UInt32(clamping: utf8.count))
        bytes.append(contentsOf: utf8.prefix(Int(UInt32.max)))
    }

    /// Appends a byte blob: `UInt64` byte count, then the bytes.
    mutating func appendBlob(_ data: [UInt8]) {
        append(UInt64(data.count))
        bytes.append(contentsOf: data)
    }
}

/// Reads little-endian fields from a frame, checking every length against what is left.
///
/// Every read throws `WireError.malformedMessage` naming the field, the bytes it needed and the
/// bytes left, instead of reading past the frame: a truncated or lying frame can never trap or
/// make the reader allocate more than the frame holds.
struct WireReader {
    let frame: [UInt8]
    private(set) var offset: Int

    init(_ frame: [UInt8], offset: Int = 0) {
        self.frame = frame
        self.offset = offset
    }

    var remaining: Int { frame.count - offset }

    mutating func read<Value: FixedWidthInteger>(_ type: Value.Type, _ field: String) throws -> Value {
        let size = MemoryLayout<Value>.size
        try require(size, field)
        let value = frame.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Value.self) }
        offset += size
        return Value(littleEndian: value)
    }

    /// Reads `count` bytes with no length in front.
    mutating func readFixed(_ count: Int, _ field: String) throws -> [UInt8] {
        try require(count, field)
        defer { offset += count }
        return Array(frame[offset..<(offset + count)])
    }

    mutating func readName(_ field: String) throws -> String {
        let length = Int(try read(UInt16.self, "\(field) length"))
        return try decodeUTF8(readFixed(length, field), field)
    }

    mutating func readText(_ field: String) throws -> String {
        let length = Int(try read(UInt32.self, "\(field) length"))
        return try decodeUTF8(readFixed(length, field), field)
    }

    mutating func readBlob(_ field: String) throws -> [UInt8] {
        let length = try read(UInt64.self, "\(field) length")
        guard length <= UInt64(remaining) else {
            throw WireError.malformed(
                field, expected: "at most \(remaining) bytes left", found: "a length of \(length)")
        }
        return try readFixed(Int(length), field)
    }

    /// Steps over a byte blob (`UInt64` byte count, then the bytes) without copying it.
    ///
    /// - Returns: where the blob's bytes lie in `frame`.
    mutating func skipBlob(_ field: String) throws -> Range<Int> {
        let length = try read(UInt64.self, "\(field) length")
        guard length <= UInt64(remaining) else {
            throw WireError.malformed(
                field, expected: "at most \(remaining) bytes left", found: "a length of \(length)")
        }
        defer { offset += Int(length) }
        return offset..<(offset + Int(length))
    }

    /// Reads a `UInt32` element count and checks that `count × elementSize` bytes are left, so
    /// that a lying count cannot make the caller reserve memory the frame does not back.
    mutating func readCount(_ field: String, elementSize: Int) throws -> Int {
        let count = Int(try read(UInt32.self, "\(field) count"))
        let (needed, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, needed <= remaining else {
            throw WireError.malformed(
                field, expected: "at most \(remaining / max(elementSize, 1)) elements", found: "a count of \(count)")
        }
        return count
    }

    /// Checks that the frame ends here.
    func expectEnd(_ what: String) throws {
        guard remaining == 0 else {
            throw WireError.malformed(what, expected: "the frame to end", found: "\(remaining) more bytes")
        }
    }

    private func require(_ count: Int, _ field: String) throws {
        guard count >= 0, count <= remaining else {
            throw WireError.malformed(
                field, expected: "\(count) bytes at offset \(offset)", found: "\(remaining) bytes left")
        }
    }

    private func decodeUTF8(_ bytes: [UInt8], _ field: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WireError.malformed(field, expected: "UTF-8 text", found: "invalid UTF-8")
        }
        return text
    }
}
