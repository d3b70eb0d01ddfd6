/// How tasks are made from a single-label classification dataset with C classes.
public enum ClassTaskDesign: Sendable, Equatable, CustomStringConvertible {
    /// One binary task per pair (a, b): examples of class a have target 0, of class b target 1.
    /// No class may appear in two pairs, so the tasks' examples are disjoint.
    case pairs([ClassPair])
    /// One binary task per class c over every input (target 1 when the label is c); shared inputs.
    case oneVsRest
    /// A single task predicting the class.
    case multiclass

    /// The five pairs (0,1), (2,3), (4,5), (6,7), (8,9): every class used once.
    public static let standardPairs = ClassTaskDesign.pairs(
        stride(from: 0, to: 10, by: 2).map { ClassPair(negative: $0, positive: $0 + 1) })

    /// Reads `tasks=pairs|one-vs-rest|multiclass` and `pairs=a-b/c-d/…` from a specification.
    ///
    /// - Throws: `UsageError` for an unknown design, a malformed pair, a class outside
    ///   `0..<classCount`, or a class used twice.
    static func parse(_ specification: DatasetSpecification, classCount: Int) throws(UsageError) -> ClassTaskDesign {
        let design = try specification.choice(
            "tasks", default: "pairs", allowed: ["pairs", "one-vs-rest", "multiclass"])
        guard specification.value("pairs") == nil || design == "pairs" else {
            throw UsageError("Dataset '\(specification.name)': option pairs only applies with tasks=pairs.")
        }
        switch design {
        case "one-vs-rest": return .oneVsRest
        case "multiclass": return .multiclass
        default: break
        }
        guard let text = specification.value("pairs") else { return standardPairs }
        let pairs = try text.split(separator: "/").map { (item) throws(UsageError) -> ClassPair in
            let classes = item.split(separator: "-").compactMap { Int($0) }
            guard classes.count == 2, classes.allSatisfy({ (0..<classCount).contains($0) }), classes[0] != classes[1]
            else {
                throw UsageError(
                    "Dataset '\(specification.name)': expected pairs like 0-1/2-3 with classes 0 to \(classCount - 1), "
                        + "found '\(item)'.")
            }
            return ClassPair(negative: classes[0], positive: classes[1])
        }
        let used = pairs.flatMap { [$0.negative, $0.positive] }
        guard !pairs.isEmpty, Set(used).count == used.count else {
            throw UsageError(
                "Dataset '\(specification.name)': each class may appear in one pair only, found '\(text)'.")
        }
        return .pairs(pairs)
    }

    public var description: String {
        switch self {
        case .pairs(let pairs): "pairs " + pairs.map { "\($0.negative)-\($0.positive)" }.joined(separator: "/")
        case .oneVsRest: "one-vs-rest"
        case .multiclass: "multiclass"
        }
    }
}

/// Two classes that form a binary task: `negative` has target 0, `positive` target 1.
public struct ClassPair: Sendable, Hashable {
    public let negative: Int
    public let positive: Int

    public init(negative: Int, positive: Int) {
        self.negative = negative
        self.positive = positive
    }
}

/// Builds example pools from class labels and a `ClassTaskDesign`.
enum ClassTasks {
    /// The pool for `design` over items with `labels`, keeping at most `limit` examples per task
    /// (pairs) or inputs in all (the other designs), drawn with `splitter`.
    ///
    /// - Parameters:
    ///   - labels: one class in `0..<classNames.count` per source item (already validated).
    ///   - featureRows: builds the feature matrix of the chosen items (ascending indices), so
    ///     that only those are converted.
    ///   - base: the name, path, feature names and label array name for the pool.
    /// - Complexity: O(items) plus the cost of `featureRows`.
    static func makePool(
        labels: [Int], design: ClassTaskDesign, classNames: [String], limit: Int?, splitter: inout SeededSplitter,
        featureRows: ([Int]) -> Matrix, base: (name: String, path: String, featureNames: [String], labels: String)
    ) -> ExamplePool {
        let (inputs, tasks, names, kinds) = select(labels, design, classNames, limit, &splitter)
        let labelArray = base.labels
        return ExamplePool(
            name: base.name, path: base.path, layout: design.isDisjoint ? .disjoint : .sharedInputs,
            featureNames: base.featureNames, features: featureRows(inputs), sourceIDs: inputs, taskNames: names,
            declaredKinds: kinds, tasks: tasks, locate: { row, _ in .arrayElement(labelArray, index: inputs[row]) })
    }

    private static func select(
        _ labels: [Int], _ design: ClassTaskDesign, _ classNames: [String], _ limit: Int?,
        _ splitter: inout SeededSplitter
    ) -> (inputs: [Int], tasks: [TaskExamples], names: [String], kinds: [TargetKind]) {
        guard case .pairs(let pairs) = design else {
            let inputs = splitter.sample(limit ?? labels.count, of: labels.count)
            let rows = Array(inputs.indices)
            let classes = inputs.map { labels[$0] }
            if design == .multiclass {
                return (
                    inputs, [TaskExamples(rows: rows, targets: classes.map(Double.init))], ["class"],
                    [.multiclass(classes: classNames.count)]
                )
            }
            let tasks = classNames.indices.map { c in TaskExamples(rows: rows, targets: classes.map { $0 == c ? 1 : 0 })
            }
            return (inputs, tasks, classNames.map { "\($0)-vs-rest" }, Array(repeating: .binary, count: tasks.count))
        }
        let chosen = pairs.map { pair in
            let members = labels.indices.filter { labels[$0] == pair.negative || labels[$0] == pair.positive }
            return splitter.sample(limit ?? members.count, of: members.count).map { members[$0] }
        }
        let inputs = chosen.flatMap { $0 }.sorted()
        let position = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1, $0) })
        let tasks = zip(pairs, chosen).map { pair, items in
            TaskExamples(rows: items.map { position[$0]! }, targets: items.map { labels[$0] == pair.positive ? 1 : 0 })
        }
        let names = pairs.map { "\(classNames[$0.negative])-vs-\(classNames[$0.positive])" }
        return (inputs, tasks, names, Array(repeating: .binary, count: tasks.count))
    }
}

extension ClassTaskDesign {
    var isDisjoint: Bool {
        if case .pairs = self { return true }
        return false
    }
}
