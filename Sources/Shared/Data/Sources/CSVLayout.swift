/// Which columns of a CSV file hold the tasks, the targets and the features.
public struct CSVLayout: Sendable, Equatable {
    /// How tasks appear in the columns.
    public enum Tasks: Sendable, Equatable {
        /// Disjoint layout: one column names each row's task, another holds its target.
        case taskColumn(String, targetColumn: String)
        /// Shared inputs: one target column per task, in the order given.
        case targetColumns([String])
        /// Shared inputs: every column whose name starts with the prefix is a task's target.
        case targetPrefix(String)
    }

    public var tasks: Tasks
    /// The feature columns in order; nil for every column that is not a task or target column.
    public var featureColumns: [String]?
    /// Whether the first record names the columns.
    public var hasHeader: Bool

    public init(tasks: Tasks, featureColumns: [String]? = nil, hasHeader: Bool = true) {
        self.tasks = tasks
        self.featureColumns = featureColumns
        self.hasHeader = hasHeader
    }
}
