import Foundation

/// Evaluation and selection files in the formats `mtif report` reads (docs/file-formats.md),
/// written beside a test's score run. The numbers are fixed patterns, not measurements: the tests
/// check that each file is read and drawn, and one known correlation.
enum EvaluationFixtures {
    /// Writes `evaluation/loto.json`, one baseline, `evaluation/loo.csv`, `evaluation/lds.csv` and
    /// `selection/drop-harmful.json` into `directory`.
    static func write(into directory: String, tasks: [String]) throws {
        for folder in ["evaluation/baselines", "selection"] {
            try FileManager.default.createDirectory(
                atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        try save(matrix(tasks: tasks, extra: [:], scale: 0.01), to: directory + "/evaluation/loto.json")
        let cosine = matrix(
            tasks: tasks, extra: ["method": "gradient cosine", "positiveMeans": "helps"], scale: 0.2)
        try save(cosine, to: directory + "/evaluation/baselines/cosine.json")
        try text(leaveOneOut(tasks: tasks), to: directory + "/evaluation/loo.csv")
        try text(linearDatamodeling(tasks: tasks), to: directory + "/evaluation/lds.csv")
        try save(selection(tasks: tasks), to: directory + "/selection/drop-harmful.json")
    }

    /// A K × K matrix with train tasks in reverse order, so that the report must reorder it.
    static func matrix(tasks: [String], extra: [String: Any], scale: Double) -> [String: Any] {
        let reversed = Array(tasks.reversed())
        let values = reversed.indices.map { row in
            tasks.indices.map { column in scale * Double((row + 1) * (column + 2) % 5 - 2) + scale / 3 }
        }
        return extra.merging(["trainTasks": reversed, "queryTasks": tasks, "values": values]) { first, _ in first }
    }

    /// Every train task against every query task, predictions equal to the actual changes.
    static func leaveOneOut(tasks: [String]) -> String {
        var lines = ["predicted,actual,train_task,query_task"]
        for (row, train) in tasks.enumerated() {
            for (column, query) in tasks.enumerated() {
                let value = 0.001 * Double(row * tasks.count + column + 1) * (column.isMultiple(of: 2) ? 1 : -1)
                lines.append("\(value),\(value),\(train),\(query)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Six subsets per query task, the actual change a scaled and shifted prediction.
    static func linearDatamodeling(tasks: [String]) -> String {
        var lines = ["subset,query_task,predicted,actual"]
        for subset in 0..<6 {
            for (index, task) in tasks.enumerated() {
                let predicted = 0.01 * Double((subset * 7 + index * 3) % 11 - 5)
                lines.append("\(subset),\(task),\(predicted),\(0.8 * predicted + 0.002)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A full-data reference and two removals, on the test split.
    static func selection(tasks: [String]) -> [String: Any] {
        let reference = tasks.indices.map { 0.5 + 0.05 * Double($0) }
        return [
            "targetTask": tasks[0], "description": "Examples harmful to the target removed.", "split": "test",
            "tasks": tasks,
            "strategies": [
                ["name": "full data", "removedExamples": 0, "loss": reference],
                ["name": "MTIF harmful", "removedExamples": 6, "loss": reference.map { $0 * 0.95 }],
                ["name": "random", "removedExamples": 6, "loss": reference.map { $0 * 1.01 }],
            ],
        ]
    }

    static func save(_ object: [String: Any], to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
            .write(to: URL(fileURLWithPath: path))
    }

    static func text(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
