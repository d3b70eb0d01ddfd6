/// The side of the scores being measured: whose loss would change.
public enum Query: Sendable, Equatable, Hashable, Codable {
    /// V_k: the mean loss of query task k over its validation examples (method.md §2).
    case taskValidationLoss(task: Int)
    /// The loss of one validation example of query task k (position `example` in that task's
    /// validation examples).
    case validationExample(task: Int, example: Int)

    /// The query task k.
    public var task: Int {
        switch self {
        case .taskValidationLoss(let task), .validationExample(let task, _): task
        }
    }

    /// A column label such as `val:yeast-3` or `val:yeast-3#17`.
    public func label(taskNames: [String]) -> String {
        switch self {
        case .taskValidationLoss(let task): "val:\(taskNames[task])"
        case .validationExample(let task, let example): "val:\(taskNames[task])#\(example)"
        }
    }
}

/// Whether a score links an example to its own task's query or to another task's.
public enum InfluenceKind: String, Sendable, Codable {
    /// Train task l equals query task k.
    case withinTask = "within-task"
    /// l ≠ k: transfer through the shared parameters.
    case betweenTask = "between-task"

    public init(trainTask: Int, queryTask: Int) {
        self = trainTask == queryTask ? .withinTask : .betweenTask
    }
}
