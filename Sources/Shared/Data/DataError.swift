/// Where in an input a problem was found: a line of a text file, an array of an archive, a task.
public enum DataLocation: Sendable, Hashable, CustomStringConvertible {
    /// A 1-based line of a text file.
    case line(Int)
    /// A field of a text file: its 1-based line and the name of its column.
    case field(line: Int, column: String)
    /// A named array, such as a member of an `.npz` archive.
    case array(String)
    /// One element of a named array, by its 0-based position along the first axis.
    case arrayElement(String, index: Int)
    /// A byte offset into a binary file.
    case byteOffset(Int)
    /// A task, and the split where the problem shows when there is one.
    case task(String, split: Split?)

    public var description: String {
        switch self {
        case .line(let line): "line \(line)"
        case .field(let line, let column): "line \(line), column '\(column)'"
        case .array(let name): "array '\(name)'"
        case .arrayElement(let name, let index): "array '\(name)', element \(index)"
        case .byteOffset(let offset): "byte \(offset)"
        case .task(let name, let split?): "task '\(name)', \(split.rawValue) split"
        case .task(let name, nil): "task '\(name)'"
        }
    }
}

/// An input file or dataset that mtif cannot use as it is.
///
/// Every message starts with the file (or dataset specification) and the location inside it,
/// then says what was expected, what was found and what to do about it. The command line maps
/// these errors to exit status 65.
public struct DataError: ReportableError, Equatable {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case fileNotFound = "file not found"
            case unreadableFile = "unreadable file"
            case unwritableFile = "unwritable file"
            case truncatedFile = "truncated file"
            case badMagic = "bad magic number"
            case unsupportedFormat = "unsupported format"
            case malformedHeader = "malformed header"
            case corruptCompressedData = "corrupt compressed data"
            case corruptArchive = "corrupt archive"
            case raggedRow = "ragged row"
            case malformedQuoting = "malformed quoting"
            case nonNumericField = "non-numeric field"
            case missingValue = "missing value"
            case nonFiniteValue = "non-finite value"
            case missingColumn = "missing column"
            case missingArray = "missing array"
            case shapeMismatch = "shape mismatch"
            case labelOutOfRange = "label out of range"
            case emptyTask = "empty task"
            case unrepresentableValue = "unrepresentable value"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file does not exist.
        public static let fileNotFound = Code(.fileNotFound)
        /// The file exists but could not be read (permissions, a directory, an I/O error).
        public static let unreadableFile = Code(.unreadableFile)
        /// The file could not be written (a missing directory, permissions, a full disk).
        public static let unwritableFile = Code(.unwritableFile)
        /// The file ends before the data its header announces.
        public static let truncatedFile = Code(.truncatedFile)
        /// The leading bytes do not identify the expected format.
        public static let badMagic = Code(.badMagic)
        /// A format version, data type or compression method mtif does not read.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// A header that cannot be parsed or contradicts itself.
        public static let malformedHeader = Code(.malformedHeader)
        /// A gzip or deflate stream that zlib rejects.
        public static let corruptCompressedData = Code(.corruptCompressedData)
        /// A zip archive whose sizes, offsets or checksums disagree with the file.
        public static let corruptArchive = Code(.corruptArchive)
        /// A CSV record with more or fewer fields than the header.
        public static let raggedRow = Code(.raggedRow)
        /// A CSV quote that is never closed or is followed by stray characters.
        public static let malformedQuoting = Code(.malformedQuoting)
        /// A field that should hold a number and does not.
        public static let nonNumericField = Code(.nonNumericField)
        /// An empty field where a value is required, such as a row's task name.
        public static let missingValue = Code(.missingValue)
        /// A NaN or infinite number where a finite one is needed.
        public static let nonFiniteValue = Code(.nonFiniteValue)
        /// A column named by the options is not in the file.
        public static let missingColumn = Code(.missingColumn)
        /// An array the layout needs is not in the archive.
        public static let missingArray = Code(.missingArray)
        /// Arrays or columns whose lengths or dimensions disagree.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// A target outside the values its task's target kind allows.
        public static let labelOutOfRange = Code(.labelOutOfRange)
        /// A task with no examples in some split.
        public static let emptyTask = Code(.emptyTask)
        /// A value that the requested storage type cannot hold exactly.
        public static let unrepresentableValue = Code(.unrepresentableValue)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// The file (or dataset specification) the problem is in.
    public let path: String
    /// Where in `path`, when the problem has a place.
    public let location: DataLocation?
    /// What was expected, what was found and what to do, without the path and location.
    public let detail: String
    /// zlib's status code, when the error came from zlib.
    public let zlibStatus: Int?
    public let site: ThrowSite
    public var category: FailureCategory { .data }

    /// Creates an error for `path` at `location`.
    ///
    /// - Parameters:
    ///   - code: the kind of problem.
    ///   - path: the file or dataset specification.
    ///   - location: the place inside `path`, if any.
    ///   - detail: sentences saying what was expected, what was found and what to do.
    ///   - zlibStatus: zlib's return code, for compression failures.
    public init(
        _ code: Code, path: String, location: DataLocation? = nil, _ detail: String, zlibStatus: Int? = nil,
        site: ThrowSite = ThrowSite()
    ) {
        self.code = code
        self.path = path
        self.location = location
        self.detail = detail
        self.zlibStatus = zlibStatus
        self.site = site
    }

    /// The full message: path, location, then the detail.
    public var message: String {
        let place = location.map { "\(path), \($0)" } ?? path
        return "\(place): \(detail)"
    }
}
