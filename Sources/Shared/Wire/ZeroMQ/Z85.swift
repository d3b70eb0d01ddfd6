/// Z85, the ZeroMQ base-85 text encoding of binary data (ZeroMQ RFC 32), used for CURVE keys.
///
/// Every 4 bytes, read as a big-endian 32-bit number, become 5 characters: the number's base-85
/// digits, most significant first, drawn from an 85-character alphabet that avoids quotes,
/// backslash and white space. A 32-byte key becomes 40 characters. Binary input must be a
/// multiple of 4 bytes and text a multiple of 5 characters; the encoding has no padding.
public enum Z85 {
    private static let alphabet = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// For each ASCII code, its digit value, or 0xFF for a character outside the alphabet.
    private static let digitValues: [UInt8] = {
        var values = [UInt8](repeating: 0xFF, count: 128)
        for (digit, character) in alphabet.enumerated() {
            values[Int(character)] = UInt8(digit)
        }
        return values
    }()

    /// Encodes `bytes` as Z85 text.
    ///
    /// - Precondition: `bytes.count` is a multiple of 4 (callers encode fixed-size keys).
    public static func encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0, "Z85 encodes multiples of 4 bytes, got \(bytes.count)")
        var text = [UInt8]()
        text.reserveCapacity(bytes.count / 4 * 5)
        for start in stride(from: 0, to: bytes.count, by: 4) {
            var value = bytes[start..<(start + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            var digits = [UInt8](repeating: 0, count: 5)
            for position in (0..<5).reversed() {
                digits[position] = alphabet[Int(value % 85)]
                value /= 85
            }
            text.append(contentsOf: digits)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes Z85 `text` into bytes.
    ///
    /// - Throws: `WireError.invalidKey` when the length is not a multiple of 5, a character is
    ///   outside the alphabet, or a group of 5 characters exceeds 32 bits.
    public static func decode(_ text: String) throws -> [UInt8] {
        let characters = Array(text.utf8)
        guard characters.count % 5 == 0 else {
            throw WireError(
                .invalidKey, "Z85 text must be a multiple of 5 characters long, found \(characters.count).")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 5 * 4)
        for start in stride(from: 0, to: characters.count, by: 5) {
            let value = try groupValue(characters[start..<(start + 5)], at: start)
            bytes.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
        }
        return bytes
    }

    private static func groupValue(_ group: ArraySlice<UInt8>, at offset: Int) throws -> UInt32 {
        var value: UInt64 = 0
        for (index, character) in zip(group.indices, group) {
            let digit = character < 128 ? digitValues[Int(character)] : 0xFF
            guard digit != 0xFF else {
                throw WireError(.invalidKey, "Z85 text has a character outside its alphabet at position \(index).")
            }
            value = value * 85 + UInt64(digit)
        }
        guard value <= UInt64(UInt32.max) else {
            throw WireError(.invalidKey, "Z85 group at position \(offset) exceeds 32 bits.")
        }
        return UInt32(value)
    }
}
