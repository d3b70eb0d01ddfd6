/// A condition that a dataset or a configuration can cause while a model or its objective is built
/// or evaluated: tasks whose outputs cannot share parameters, a target the loss cannot read, a task
/// without examples, a penalty or width out of range.
///
/// Wrong vector lengths and out-of-range task indices are programmer errors and stop the process
/// through a precondition instead.
public struct ModelError: ReportableError, Equatable {
    /// What went wrong, as a value that can be matched on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case incompatibleTasks = "incompatible tasks"
            case invalidTarget = "invalid target"
            case emptyTask = "empty task"
            case invalidConfiguration = "invalid configuration"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The architecture needs every task to have the same output width, and they differ.
        public static let incompatibleTasks = Code(.incompatibleTasks)
        /// A target is not a value the task's loss accepts (a binary label outside [0, 1], a class
        /// index that is not a whole number below the class count, a non-finite value).
        public static let invalidTarget = Code(.invalidTarget)
        /// A task has no examples in a split where an average over its examples is needed.
        public static let emptyTask = Code(.emptyTask)
        /// A layer width, penalty or feature count is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    public let site: ThrowSite

    /// Configuration errors are the invocation's fault; everything else comes from the data.
    public var category: FailureCategory { code == .invalidConfiguration ? .usage : .data }

    public init(_ code: Code, _ message: String, site: ThrowSite = ThrowSite()) {
        self.code = code
        self.message = message
        self.site = site
    }
}
