/// Training that stopped without reaching its tolerance: the iteration cap was hit, the line
/// search could not decrease the objective, or the objective became non-finite.
///
/// Every code carries the report of the last iterate, so a caller can see how far it got.
public struct TrainingError: ReportableError, Equatable {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case didNotConverge = "did not converge"
            case lineSearchFailed = "line search failed"
            case nonFiniteObjective = "non-finite objective"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The iteration cap was reached before the gradient tolerance.
        public static let didNotConverge = Code(.didNotConverge)
        /// No step along the search direction decreased the objective.
        public static let lineSearchFailed = Code(.lineSearchFailed)
        /// The objective or its gradient is NaN or infinite at the current iterate.
        public static let nonFiniteObjective = Code(.nonFiniteObjective)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// The state when training stopped.
    public let report: TrainingReport
    /// The last iterate w, when it is finite: what a caller may keep, marked unconverged, if it
    /// accepts a run that missed its tolerance.
    public let parameters: [Double]?
    public let site: ThrowSite
    public var category: FailureCategory { .failure }

    /// - Parameters:
    ///   - parameters: the last iterate; dropped when any entry is NaN or infinite.
    public init(
        _ code: Code, _ message: String, report: TrainingReport, parameters: [Double]? = nil,
        site: ThrowSite = ThrowSite()
    ) {
        self.code = code
        self.message = message
        self.report = report
        self.parameters = parameters.flatMap { $0.allSatisfy(\.isFinite) ? $0 : nil }
        self.site = site
    }
}
