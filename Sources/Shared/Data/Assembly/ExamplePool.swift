/// Every example of a source before splitting: one feature matrix shared by the tasks, and each
/// task's rows and targets, as read from a file or generated.
///
/// The same shape as one `SplitData`, plus what splitting and error messages need: the task
/// names, kinds the source declares, and a way to point at the origin of any target.
public struct ExamplePool: Sendable {
    /// The dataset's short name.
    public var name: String
    /// The file or specification the examples came from, for error messages.
    public var path: String
    public var layout: DatasetLayout
    public var featureNames: [String]
    /// `inputs × features`, as the source gave them (not standardised).
    public var features: Matrix
    /// A stable identifier of each input row (its position in the source).
    public var sourceIDs: [Int]
    public var taskNames: [String]
    /// Kinds the source itself fixes (a built-in's binary tasks); nil entries are left to the
    /// configuration or to inference.
    public var declaredKinds: [TargetKind?]
    /// Each task's examples: rows of `features` and targets. With shared inputs every task lists
    /// every row in order.
    public var tasks: [TaskExamples]
    /// Where the target of (input row, task) came from, such as a CSV line and column.
    public var locate: @Sendable (_ row: Int, _ task: Int) -> DataLocation

    public init(
        name: String, path: String, layout: DatasetLayout, featureNames: [String], features: Matrix,
        sourceIDs: [Int]? = nil, taskNames: [String], declaredKinds: [TargetKind?]? = nil, tasks: [TaskExamples],
        locate: @escaping @Sendable (_ row: Int, _ task: Int) -> DataLocation
    ) {
        precondition(features.columns == featureNames.count, "One name per feature column")
        precondition(taskNames.count == tasks.count, "One name per task")
        precondition(
            tasks.allSatisfy { $0.rows.allSatisfy { $0 >= 0 && $0 < features.rows } }, "Task rows must index features")
        self.name = name
        self.path = path
        self.layout = layout
        self.featureNames = featureNames
        self.features = features
        self.sourceIDs = sourceIDs ?? Array(0..<features.rows)
        self.taskNames = taskNames
        self.declaredKinds = declaredKinds ?? Array(repeating: nil, count: tasks.count)
        self.tasks = tasks
        self.locate = locate
    }

    /// Number of input rows.
    public var inputCount: Int { features.rows }

}
