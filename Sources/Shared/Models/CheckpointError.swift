/// A checkpoint that mtif refuses to read or to apply to a dataset.
///
/// Reading refuses a file that is not a version-1 mtif checkpoint, a JSON field that is missing or
/// of the wrong type, parameter arrays that are missing, extra, of the wrong shape or type, or
/// non-finite, and parameter bytes whose SHA-256 differs from the recorded one. Applying a
/// checkpoint to a dataset refuses one with other features or tasks, or other data than the
/// checkpoint was trained on. Missing and unreadable files are `DataError`s from `DataFile`.
///
/// Every message names the checkpoint file, then says what was expected, what was found and what
/// to do. Dataset mismatches are the invocation's fault (exit status 64); everything else is a
/// problem with the file (65).
public struct CheckpointError: ReportableError, Equatable {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case unknownFormat = "unknown format"
            case unsupportedVersion = "unsupported version"
            case malformedField = "malformed field"
            case missingArray = "missing array"
            case unexpectedArray = "unexpected array"
            case shapeMismatch = "shape mismatch"
            case unsupportedArrayType = "unsupported array type"
            case nonFiniteParameter = "non-finite parameter"
            case checksumMismatch = "checksum mismatch"
            case incompatibleDataset = "incompatible dataset"
            case datasetMismatch = "dataset mismatch"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The JSON's `format` field is missing or is not `mtif-checkpoint`.
        public static let unknownFormat = Code(.unknownFormat)
        /// The `version` field is missing or names a version this mtif does not read.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The JSON does not parse, or a field is missing, of the wrong type or out of range.
        public static let malformedField = Code(.malformedField)
        /// The `.npz` lacks an array that the architecture needs.
        public static let missingArray = Code(.missingArray)
        /// The `.npz` holds an array that the architecture has no place for.
        public static let unexpectedArray = Code(.unexpectedArray)
        /// An array's dimensions differ from its layer's.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// An array holds integers or booleans instead of floating-point numbers.
        public static let unsupportedArrayType = Code(.unsupportedArrayType)
        /// A parameter is NaN or infinite.
        public static let nonFiniteParameter = Code(.nonFiniteParameter)
        /// The SHA-256 of the `.npz` bytes differs from `parametersSHA256`.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The dataset has other features, tasks, task names or target kinds than the checkpoint.
        public static let incompatibleDataset = Code(.incompatibleDataset)
        /// The dataset's fingerprint differs from the one the checkpoint was trained on.
        public static let datasetMismatch = Code(.datasetMismatch)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// The checkpoint's JSON file, or a placeholder for one that is not on disk yet.
    public let path: String
    /// What was expected, what was found and what to do, without the path.
    public let detail: String
    public let site: ThrowSite

    public var category: FailureCategory {
        code == .incompatibleDataset || code == .datasetMismatch ? .usage : .data
    }

    /// Creates an error about the checkpoint at `path`.
    ///
    /// - Parameters:
    ///   - code: the kind of problem.
    ///   - path: the checkpoint's JSON file.
    ///   - detail: sentences saying what was expected, what was found and what to do.
    public init(_ code: Code, path: String, _ detail: String, site: ThrowSite = ThrowSite()) {
        self.code = code
        self.path = path
        self.detail = detail
        self.site = site
    }

    /// The full message: the checkpoint, then the detail.
    public var message: String { "checkpoint \(path): \(detail)" }
}
