/// A failure of the influence engine that valid input can still meet: an indefinite Hessian, a
/// solver that did not converge, a query or subset that names nothing.
public struct InfluenceError: ReportableError {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case indefiniteHessian = "indefinite Hessian"
            case solverDidNotConverge = "solver did not converge"
            case invalidQuery = "invalid query"
            case invalidSubset = "invalid subset"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// H + δI is not positive definite; the message carries the smallest eigenvalue found
        /// and a damping that would cure it.
        public static let indefiniteHessian = Code(.indefiniteHessian)
        /// An iterative solve reached its iteration cap above its tolerance.
        public static let solverDidNotConverge = Code(.solverDidNotConverge)
        /// A query names a task or example that does not exist.
        public static let invalidQuery = Code(.invalidQuery)
        /// A subset file names examples that do not exist.
        public static let invalidSubset = Code(.invalidSubset)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// The smallest eigenvalue of H + δI, when it was computed.
    public let smallestEigenvalue: Double?
    /// A damping δ that makes H + δI positive definite, when one can be suggested.
    public let suggestedDamping: Double?
    public let site: ThrowSite

    public var category: FailureCategory {
        code == .invalidQuery || code == .invalidSubset ? .usage : .failure
    }

    public init(
        _ code: Code, _ message: String, smallestEigenvalue: Double? = nil, suggestedDamping: Double? = nil,
        site: ThrowSite = ThrowSite()
    ) {
        self.code = code
        self.message = message
        self.smallestEigenvalue = smallestEigenvalue
        self.suggestedDamping = suggestedDamping
        self.site = site
    }
}
