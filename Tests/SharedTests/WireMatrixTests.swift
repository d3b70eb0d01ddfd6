import Testing

@testable import Shared

@Suite("Matrices as raw little-endian doubles on the wire")
struct WireMatrixTests {
    @Test("A matrix round-trips bit for bit, including NaN payloads, −0 and subnormals")
    func roundTripIsBitExact() throws {
        var matrix = RandomMatrices.normal(rows: 7, columns: 5, seed: 11)
        matrix[0, 0] = -0.0
        matrix[1, 1] = Double(bitPattern: 0x7FF8_0000_0000_1234)
        matrix[2, 2] = .leastNonzeroMagnitude
        matrix[3, 3] = -.infinity
        let decoded = try WireMatrix.decode(WireMatrix.encode(matrix), field: "test")
        #expect(decoded.rows == 7 && decoded.columns == 5)
        #expect(decoded.elements.map(\.bitPattern) == matrix.elements.map(\.bitPattern))
    }

    @Test("The byte layout is rows, columns, then row-major little-endian doubles")
    func layoutIsDocumented() {
        let bytes = WireMatrix.encode(Matrix(rowArrays: [[1.5, -2]]))
        #expect(bytes.count == 16 + 16)
        #expect(Array(bytes[0..<8]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[8..<16]) == [2, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16..<24]) == [0, 0, 0, 0, 0, 0, 0xF8, 0x3F])  // 1.5
    }

    @Test("Dimensions that disagree with the byte count throw, without allocating")
    func lyingDimensionsThrow() {
        let bytes = WireMatrix.encode(RandomMatrices.normal(rows: 3, columns: 4, seed: 12))
        for (rows, columns): (UInt64, UInt64) in [(4, 4), (3, 3), (1 << 33, 1 << 33), (.max, 2), (1 << 40, 0)] {
            var lying = bytes
            withUnsafeBytes(of: rows.littleEndian) { lying.replaceSubrange(0..<8, with: $0) }
            withUnsafeBytes(of: columns.littleEndian) { lying.replaceSubrange(8..<16, with: $0) }
            #expect(throws: WireError.self) { try WireMatrix.decode(lying, field: "test") }
        }
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try WireMatrix.decode(Array(bytes.prefix(length)), field: "test") }
        }
    }

    @Test("Unaligned element bytes are read through one copy with the same values")
    func unalignedElementsAreCopied() {
        let matrix = RandomMatrices.normal(rows: 3, columns: 2, seed: 13)
        let shifted = [0] + WireMatrix.encode(matrix)[16...]
        let elements = shifted.withUnsafeBytes { raw in
            WireMatrix.withElements(UnsafeRawBufferPointer(rebasing: raw[1...]), rows: 3, columns: 2) { Array($2) }
        }
        #expect(elements == matrix.elements)
    }
}
