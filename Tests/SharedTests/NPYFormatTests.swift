import Foundation
import Testing

@testable import Shared

@Suite("NumPy .npy reading and writing")
struct NPYFormatTests {
    /// The values scripts/make-test-fixtures.py wrote for each data type, row-major 2×3.
    static let expected: [(file: String, type: NumPyDataType, values: [Double])] = [
        ("float64", .float64, [0.5, -1.25, 3.0, 1e-3, 0x1p40, -7.0]),
        ("float32", .float32, [0.5, -1.25, 3.0, 0.125, 1024.0, -7.0]),
        ("int64", .int64, [0, -1, 0x1p40, -0x1p40, 7, 123_456_789]),
        ("int32", .int32, [0, -1, 0x1p30, -0x1p31, 7, 2_147_483_647]),
        ("int16", .int16, [0, -1, 300, -32768, 7, 32767]),
        ("int8", .int8, [0, -1, 100, -128, 7, 127]),
        ("uint8", .uint8, [0, 1, 128, 255, 7, 42]),
        ("uint16", .uint16, [0, 1, 300, 65535, 7, 42]),
        ("bool", .bool, [1, 0, 1, 0, 0, 1]),
    ]

    @Test("Every data type NumPy wrote reads back with its shape, type and exact values", arguments: expected)
    func readsEveryDataType(file: String, type: NumPyDataType, values: [Double]) throws {
        let array = try NPYFormat.read(path: FixtureFiles.path("\(file).npy"))
        #expect(array.shape == [2, 3])
        #expect(array.dataType == type)
        #expect(array.elements == values)
    }

    @Test("Encoding what was read reproduces NumPy's file byte for byte", arguments: expected)
    func encodesLikeNumPy(file: String, type: NumPyDataType, values: [Double]) throws {
        let original = try FixtureFiles.bytes("\(file).npy")
        let array = try NPYFormat.decode(original, path: file, arrayName: file)
        #expect(try NPYFormat.encode(array, arrayName: file, path: file) == original)
    }

    @Test("Writing to disk and reading back returns an equal array for every data type", arguments: expected)
    func fileRoundTrip(file: String, type: NumPyDataType, values: [Double]) throws {
        let path = FixtureFiles.temporaryPath(".npy")
        defer { FixtureFiles.remove(path) }
        let array = NDArray(shape: [3, 2], elements: values, dataType: type)
        try NPYFormat.write(array, to: path)
        #expect(try NPYFormat.read(path: path) == array)
    }

    @Test("Versions 2.0 and 3.0 read like 1.0")
    func laterVersions() throws {
        let expected = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
        for file in ["version2.npy", "version3.npy"] {
            let array = try NPYFormat.read(path: FixtureFiles.path(file))
            #expect(array.shape == [2, 3] && array.elements == expected, "\(file)")
        }
    }

    @Test("Fortran-ordered arrays come out in C order in two and three dimensions")
    func fortranOrder() throws {
        let matrix = try NPYFormat.read(path: FixtureFiles.path("fortran2d.npy"))
        #expect(matrix.elements == [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
        let cube = try NPYFormat.read(path: FixtureFiles.path("fortran3d.npy"))
        #expect(cube.shape == [2, 3, 4])
        #expect(cube.elements == (0..<24).map(Double.init))
    }

    @Test("Big-endian floats and one-dimensional arrays read correctly")
    func bigEndianAndVector() throws {
        let swapped = try NPYFormat.read(path: FixtureFiles.path("bigendian.npy"))
        #expect(swapped.elements == [1.5, -2.0, 3.25, 4.0])
        #expect(swapped.dataType.isBigEndian)
        let vector = try NPYFormat.read(path: FixtureFiles.path("vector.npy"))
        #expect(vector.shape == [5] && vector.elements == [3, 1, 4, 1, 5])
    }

    @Test("A file cut short in the data or in the header is a truncated file naming the array")
    func truncated() throws {
        let bytes = try FixtureFiles.bytes("float64.npy")
        for length in [bytes.count - 3, 40, 9] {
            let error = try #require(throws: DataError.self) {
                try NPYFormat.decode(Array(bytes.prefix(length)), path: "cut.npy", arrayName: "cut")
            }
            #expect(error.code == .truncatedFile, "cut at \(length)")
            #expect(error.message.hasPrefix("cut.npy, array 'cut'"))
        }
    }

    @Test("Extra bytes after the data are a shape mismatch")
    func extraData() throws {
        let bytes = try FixtureFiles.bytes("float64.npy") + [0, 0, 0, 0, 0, 0, 0, 0]
        let error = try #require(throws: DataError.self) {
            try NPYFormat.decode(bytes, path: "long.npy", arrayName: "long")
        }
        #expect(error.code == .shapeMismatch)
    }

    @Test("An unknown version is an unsupported format")
    func wrongVersion() throws {
        var bytes = try FixtureFiles.bytes("float64.npy")
        bytes[6] = 4
        let error = try #require(throws: DataError.self) {
            try NPYFormat.decode(bytes, path: "v4.npy", arrayName: "v4")
        }
        #expect(error.code == .unsupportedFormat)
        #expect(error.message.contains("4.0"))
    }

    @Test("A file not starting with the NumPy magic string is a bad magic number")
    func badMagic() throws {
        let error = try #require(throws: DataError.self) {
            try NPYFormat.decode(Array("a,b\n1,2\n and more text".utf8), path: "x.npy", arrayName: "x")
        }
        #expect(error.code == .badMagic)
    }

    @Test("An unknown element type is an unsupported format; a broken dictionary a malformed header")
    func badHeaders() throws {
        let bytes = try FixtureFiles.bytes("float64.npy")
        let complex = replacing("<f8", with: "<c8", in: bytes)
        let unknown = try #require(throws: DataError.self) {
            try NPYFormat.decode(complex, path: "c.npy", arrayName: "c")
        }
        #expect(unknown.code == .unsupportedFormat)
        let broken = replacing("'shape'", with: "'shapf'", in: bytes)
        let malformed = try #require(throws: DataError.self) {
            try NPYFormat.decode(broken, path: "m.npy", arrayName: "m")
        }
        #expect(malformed.code == .malformedHeader)
    }

    @Test("Writing a fraction or an out-of-range value to an integer type names the element")
    func unrepresentable() throws {
        for (type, value) in [(NumPyDataType.int32, 0.5), (.uint8, 256), (.int8, -129), (.bool, 2)] {
            let array = NDArray(shape: [2], elements: [0, value], dataType: type)
            let error = try #require(throws: DataError.self) {
                try NPYFormat.encode(array, arrayName: "a", path: "a.npy")
            }
            #expect(error.code == .unrepresentableValue)
            #expect(error.location == .arrayElement("a", index: 1))
        }
    }

    /// Replaces the first occurrence of an ASCII string in `bytes`, byte for byte.
    private func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
        let (pattern, replacement) = (Array(old.utf8), Array(new.utf8))
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: pattern) }) else { return bytes }
        return Array(bytes[..<start]) + replacement + bytes[(start + pattern.count)...]
    }
}
