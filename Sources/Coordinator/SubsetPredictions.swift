import Foundation
import Shared

/// Reads user-given subsets of training examples and predicts the effect of removing each one
/// (method.md §6: removals add up to first order).
enum SubsetPredictions {
    /// The CSV `subset,size,<query labels…>` of predicted effects for the subsets in `path`.
    ///
    /// - Throws: `DataError` for a malformed file; `UsageError` naming the line for an unknown
    ///   task or an example position out of range.
    static func table(from path: String, dataset: MultitaskDataset, scores: InfluenceScores) throws -> String {
        let subsets = try read(path, dataset: dataset, scores: scores)
        let names = dataset.tasks.map(\.name)
        var lines = [
            "subset,size," + scores.queries.map { CSVText.field($0.label(taskNames: names)) }.joined(separator: ",")
        ]
        for (name, examples) in subsets {
            let effect = scores.predictedEffect(ofRemoving: examples)
            lines.append(
                "\(CSVText.field(name)),\(examples.count)," + effect.map(CSVText.number).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Subsets in order of first appearance, each a set of distinct training examples.
    static func read(
        _ path: String, dataset: MultitaskDataset, scores: InfluenceScores
    ) throws -> [(String, [TrainExample])] {
        let table = try CSVReader.read(path: path, hasHeader: true)
        let columns = try ["subset", "task", "example"].map { try table.columnIndex($0) }
        var order: [String] = []
        var members: [String: Set<TrainExample>] = [:]
        for row in 0..<table.rowCount {
            let line = table.lineNumbers[row]
            let fields = columns.map { table.records[row][$0] }
            let task = try TaskReference.resolve(fields[1], dataset: dataset, context: "\(path) line \(line)")
            guard let example = Int(fields[2]), example >= 0, example < scores.trainCounts[task] else {
                throw UsageError(
                    "\(path) line \(line): example must be a position from 0 to \(scores.trainCounts[task] - 1) in task "
                        + "\(dataset.tasks[task].name)'s training examples, found '\(fields[2])'.")
            }
            if members[fields[0]] == nil { order.append(fields[0]) }
            members[fields[0], default: []].insert(TrainExample(task: task, example: example))
        }
        return order.map { name in (name, members[name]!.sorted { ($0.task, $0.example) < ($1.task, $1.example) }) }
    }
}

/// A task named on the command line or in a file: its name, or its index.
enum TaskReference {
    static func resolve(_ text: String, dataset: MultitaskDataset, context: String) throws -> Int {
        if let index = dataset.tasks.firstIndex(where: { $0.name == text }) { return index }
        if let index = Int(text), dataset.tasks.indices.contains(index) { return index }
        let names = dataset.tasks.map(\.name).joined(separator: ", ")
        throw UsageError(
            "\(context): no task '\(text)'; expected a task name (\(names)) or an index 0–\(dataset.taskCount - 1).")
    }
}
