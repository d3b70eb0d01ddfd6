/// What a task predicts, which fixes its head and loss.
public enum TargetKind: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A real value; squared loss.
    case regression
    /// A label in {0, 1}; logistic loss.
    case binary
    /// A label in {0, …, classes − 1}; softmax cross-entropy.
    case multiclass(classes: Int)

    public var description: String {
        switch self {
        case .regression: "regression"
        case .binary: "binary"
        case .multiclass(let classes): "multiclass(\(classes))"
        }
    }
}

/// The three roles an example can play.
public enum Split: String, Sendable, CaseIterable, Hashable {
    /// Examples the model is trained on; the train side of the scores.
    case train
    /// Examples whose loss is the query side of the scores.
    case validation
    /// Held out from scoring; used only to judge data selection.
    case test
}

/// How inputs relate to tasks.
public enum DatasetLayout: String, Sendable, Equatable {
    /// Each task has its own examples (tasks are groups: subjects, schools, class pairs).
    case disjoint
    /// Every input carries one label per task (multi-label); an example of task l is the pair
    /// (input, label of l).
    case sharedInputs = "shared-inputs"
}

/// One task's examples within one split: rows of the split's feature matrix and their targets.
public struct TaskExamples: Sendable, Equatable {
    /// Row indices into `SplitData.features`, one per example of this task.
    public var rows: [Int]
    /// Targets aligned with `rows`: the value for regression, 0/1 for binary, the class index
    /// (as a whole number) for multiclass.
    public var targets: [Double]

    public init(rows: [Int], targets: [Double]) {
        precondition(rows.count == targets.count, "Each example row needs exactly one target")
        self.rows = rows
        self.targets = targets
    }

    /// Number of examples.
    public var count: Int { rows.count }
}

/// All examples of one split: one feature matrix shared by the tasks, and each task's rows.
///
/// In the disjoint layout the tasks' rows partition the matrix; with shared inputs every task
/// lists every row. Either way an input is stored once.
public struct SplitData: Sendable, Equatable {
    /// `inputs × features`, row-major: one row per input.
    public var features: Matrix
    /// A stable identifier for each row (its position in the source file), for outputs.
    public var sourceIDs: [Int]
    /// Examples per task, indexed like `MultitaskDataset.tasks`.
    public var tasks: [TaskExamples]

    public init(features: Matrix, sourceIDs: [Int], tasks: [TaskExamples]) {
        precondition(sourceIDs.count == features.rows, "Each feature row needs exactly one source id")
        self.features = features
        self.sourceIDs = sourceIDs
        self.tasks = tasks
    }
}

/// The name and target kind of one task.
public struct TaskDescription: Sendable, Equatable {
    public var name: String
    public var targetKind: TargetKind

    public init(name: String, targetKind: TargetKind) {
        self.name = name
        self.targetKind = targetKind
    }
}

/// K named tasks, each with train, validation and test examples.
///
/// The train task index l and the query task index k of the scores are positions in `tasks`.
public struct MultitaskDataset: Sendable, Equatable {
    /// A short name, such as "yeast" or the file the data came from.
    public var name: String
    public var layout: DatasetLayout
    /// One name per feature column.
    public var featureNames: [String]
    public var tasks: [TaskDescription]
    public var train: SplitData
    public var validation: SplitData
    public var test: SplitData
    /// The per-feature centring and scaling already applied to every split's features, fitted on
    /// the train split; nil when the features are as the source gave them.
    public var standardization: FeatureStandardization?

    public init(
        name: String, layout: DatasetLayout, featureNames: [String], tasks: [TaskDescription],
        train: SplitData, validation: SplitData, test: SplitData, standardization: FeatureStandardization? = nil
    ) {
        for split in [train, validation, test] {
            precondition(split.features.columns == featureNames.count, "Every split needs one column per feature")
            precondition(split.tasks.count == tasks.count, "Every split needs examples for every task")
        }
        precondition(
            standardization.map { $0.means.count == featureNames.count } ?? true,
            "Standardisation needs one mean and scale per feature")
        self.name = name
        self.layout = layout
        self.featureNames = featureNames
        self.tasks = tasks
        self.train = train
        self.validation = validation
        self.test = test
        self.standardization = standardization
    }

    /// Number of tasks K.
    public var taskCount: Int { tasks.count }

    /// Number of input features d.
    public var featureCount: Int { featureNames.count }

    /// The examples of `split`.
    public subscript(split: Split) -> SplitData {
        switch split {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }

    /// Features of task `task`'s examples in `split`, gathered into `n_k × d` rows.
    public func features(task: Int, split: Split) -> Matrix {
        let data = self[split]
        return data.features.rows(at: data.tasks[task].rows)
    }

    /// Targets of task `task`'s examples in `split`.
    public func targets(task: Int, split: Split) -> [Double] {
        self[split].tasks[task].targets
    }
}
