/// A NumPy element type, as written in an `.npy` header's `descr` field (`<f8`, `|u1`, …).
public struct NumPyDataType: Sendable, Hashable, CustomStringConvertible {
    /// The family of values.
    public enum Kind: Character, Sendable, Hashable {
        case float = "f"
        case signedInteger = "i"
        case unsignedInteger = "u"
        case boolean = "b"
    }

    public let kind: Kind
    /// Bytes per element.
    public let byteCount: Int
    /// Whether multi-byte elements are stored most significant byte first.
    public let isBigEndian: Bool

    private init(_ kind: Kind, _ byteCount: Int, bigEndian: Bool = false) {
        self.kind = kind
        self.byteCount = byteCount
        self.isBigEndian = bigEndian && byteCount > 1
    }

    public static let float64 = NumPyDataType(.float, 8)
    public static let float32 = NumPyDataType(.float, 4)
    public static let int64 = NumPyDataType(.signedInteger, 8)
    public static let int32 = NumPyDataType(.signedInteger, 4)
    public static let int16 = NumPyDataType(.signedInteger, 2)
    public static let int8 = NumPyDataType(.signedInteger, 1)
    public static let uint64 = NumPyDataType(.unsignedInteger, 8)
    public static let uint32 = NumPyDataType(.unsignedInteger, 4)
    public static let uint16 = NumPyDataType(.unsignedInteger, 2)
    public static let uint8 = NumPyDataType(.unsignedInteger, 1)
    public static let bool = NumPyDataType(.boolean, 1)

    /// Parses a descriptor such as `<f8`, `>i4`, `|u1` or `|b1`; nil for any other type
    /// (strings, complex numbers, half precision, structured types).
    public init?(descriptor: String) {
        let characters = Array(descriptor)
        guard characters.count >= 3, let order = characters.first, "<>|=".contains(order),
            let kind = Kind(rawValue: characters[1]), let width = Int(String(characters[2...]))
        else { return nil }
        let widths: Set<Int> =
            switch kind {
            case .float: [4, 8]
            case .signedInteger, .unsignedInteger: [1, 2, 4, 8]
            case .boolean: [1]
            }
        guard widths.contains(width) else { return nil }
        self.init(kind, width, bigEndian: order == ">")
    }

    /// The descriptor NumPy writes for this type: `|` for single bytes, else the byte order.
    public var descriptor: String {
        let order = byteCount == 1 ? "|" : (isBigEndian ? ">" : "<")
        return "\(order)\(kind.rawValue)\(byteCount)"
    }

    public var description: String { descriptor }
}

/// An n-dimensional array read from or written to a NumPy file, with its elements as `Double`.
///
/// Elements are in C order (the last index varies fastest), whatever order the file used.
/// `dataType` records how the file stored them; every supported type converts to `Double`
/// exactly except 64-bit integers beyond ±2⁵³, which round.
public struct NDArray: Sendable, Equatable {
    /// Length of each axis; empty for a scalar.
    public var shape: [Int]
    /// The elements in C order; `shape.reduce(1, *)` of them.
    public var elements: [Double]
    /// The element type in the file.
    public var dataType: NumPyDataType

    /// Wraps C-order elements.
    ///
    /// - Precondition: `elements.count` is the product of `shape`.
    public init(shape: [Int], elements: [Double], dataType: NumPyDataType = .float64) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Array dimensions must be non-negative")
        precondition(
            elements.count == shape.reduce(1, *), "Shape \(shape) needs \(shape.reduce(1, *)) elements")
        self.shape = shape
        self.elements = elements
        self.dataType = dataType
    }

    /// A two-dimensional array holding `matrix`.
    public init(matrix: Matrix, dataType: NumPyDataType = .float64) {
        self.init(shape: [matrix.rows, matrix.columns], elements: matrix.elements, dataType: dataType)
    }

    /// The array as a matrix: 2-D arrays as they are, 1-D arrays as one column; nil otherwise.
    public var matrix: Matrix? {
        switch shape.count {
        case 2: Matrix(rows: shape[0], columns: shape[1], elements: elements)
        case 1: Matrix(rows: shape[0], columns: 1, elements: elements)
        default: nil
        }
    }
}
