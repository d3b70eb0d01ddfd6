import Foundation

/// A plain-text summary of a dataset: identity, features, split sizes and, per task, its kind,
/// example counts and (for binary tasks) the fraction of positive targets in each split.
///
/// `mtif data describe` prints `text`; the numbers are also available for other reports.
public struct DatasetReport: Sendable, Equatable {
    /// One task's line of the report.
    public struct TaskLine: Sendable, Equatable {
        public let name: String
        public let kind: TargetKind
        /// Examples in train, validation and test.
        public let counts: [Int]
        /// Fraction of targets equal to 1 in each split, for binary tasks.
        public let positiveRates: [Double]?
    }

    public let name: String
    public let layout: DatasetLayout
    public let fingerprint: String
    public let featureNames: [String]
    public let isStandardized: Bool
    /// Input rows in train, validation and test.
    public let inputCounts: [Int]
    public let tasks: [TaskLine]

    /// Summarises `dataset` (computing its fingerprint).
    ///
    /// - Complexity: O(size of the dataset), dominated by the fingerprint.
    public init(_ dataset: MultitaskDataset) {
        name = dataset.name
        layout = dataset.layout
        fingerprint = dataset.fingerprint()
        featureNames = dataset.featureNames
        isStandardized = dataset.standardization != nil
        inputCounts = Split.allCases.map { dataset[$0].features.rows }
        tasks = dataset.tasks.enumerated().map { index, task in
            let targets = Split.allCases.map { dataset.targets(task: index, split: $0) }
            let rates = targets.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) }
            return TaskLine(
                name: task.name, kind: task.targetKind, counts: targets.map(\.count),
                positiveRates: task.targetKind == .binary ? rates : nil)
        }
    }

    /// How many feature names the text shows before eliding the rest.
    public static let shownFeatureNames = 5

    /// The report as aligned lines of text.
    public var text: String {
        let shown = featureNames.prefix(Self.shownFeatureNames).joined(separator: ", ")
        let features = "\(featureNames.count) (\(shown)\(featureNames.count > Self.shownFeatureNames ? ", …" : ""))"
        let header = [
            ("dataset", name), ("layout", layout.rawValue), ("fingerprint", fingerprint), ("features", features),
            ("scaling", isStandardized ? "standardised with train means and deviations" : "none"),
            ("inputs", zip(Split.allCases, inputCounts).map { "\($0.rawValue) \($1)" }.joined(separator: ", ")),
            ("tasks", "\(tasks.count)"),
        ].map { "\($0.padding(toLength: 12, withPad: " ", startingAt: 0)) \($1)" }
        return (header + [""] + taskTable).joined(separator: "\n")
    }

    private var taskTable: [String] {
        let rows =
            [["task", "kind", "train", "validation", "test", "positive rate (train/validation/test)"]]
            + tasks.map { task in
                [task.name, task.kind.description] + task.counts.map(String.init)
                    + [task.positiveRates.map { $0.map(Self.twoDecimals).joined(separator: "/") } ?? "-"]
            }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return (2...4).contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }

    private static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
