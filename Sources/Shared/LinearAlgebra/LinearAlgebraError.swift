/// A numerical condition that valid inputs can still meet: a matrix that is not positive
/// definite, an eigensolver that did not converge.
///
/// Dimension mismatches and LAPACK argument errors are programmer errors and stop the process
/// through a precondition instead.
public struct LinearAlgebraError: ReportableError, Equatable {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case notPositiveDefinite = "not positive definite"
            case singular = "singular"
            case eigensolverDidNotConverge = "eigensolver did not converge"
            case outOfMemory = "out of memory"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A Cholesky factorisation met a non-positive pivot.
        public static let notPositiveDefinite = Code(.notPositiveDefinite)
        /// An LU factorisation met an exactly zero pivot.
        public static let singular = Code(.singular)
        /// The symmetric eigensolver failed to converge.
        public static let eigensolverDidNotConverge = Code(.eigensolverDidNotConverge)
        /// LAPACKE could not allocate its workspace.
        public static let outOfMemory = Code(.outOfMemory)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// The `info` value LAPACK returned, when the error came from LAPACK.
    public let lapackInfo: Int?
    public let site: ThrowSite
    public var category: FailureCategory { .failure }

    public init(_ code: Code, _ message: String, lapackInfo: Int? = nil, site: ThrowSite = ThrowSite()) {
        self.code = code
        self.message = message
        self.lapackInfo = lapackInfo
        self.site = site
    }
}
