/// Builds an `ExamplePool` from a `CSVTable` and a `CSVLayout`.
enum CSVPoolBuilder {
    /// Reads tasks, targets and features from the table.
    ///
    /// - Throws: `DataError.Code.missingColumn` for a named column the file lacks (or a prefix
    ///   no column has); `.nonNumericField` and `.nonFiniteValue` for bad feature or target
    ///   fields; `.missingValue` for an empty task name; `UsageError` when a column is both a
    ///   feature and a target.
    /// - Complexity: O(rows × columns).
    static func makePool(_ table: CSVTable, layout: CSVLayout, name: String) throws -> ExamplePool {
        switch layout.tasks {
        case .taskColumn(let taskColumn, let targetColumn):
            return try disjointPool(table, taskColumn: taskColumn, targetColumn: targetColumn, layout, name)
        case .targetColumns(let columns):
            return try sharedPool(table, targets: try columns.map { try table.columnIndex($0) }, layout, name)
        case .targetPrefix(let prefix):
            let matches = table.columnNames.indices.filter { table.columnNames[$0].hasPrefix(prefix) }
            guard !matches.isEmpty else {
                throw DataError(
                    .missingColumn, path: table.path,
                    "Expected target columns whose names start with '\(prefix)', found none among "
                        + "\(table.columnNames.count) columns. Check --target-prefix.")
            }
            return try sharedPool(table, targets: matches, layout, name)
        }
    }

    private static func disjointPool(
        _ table: CSVTable, taskColumn: String, targetColumn: String, _ layout: CSVLayout, _ name: String
    ) throws -> ExamplePool {
        let taskIndex = try table.columnIndex(taskColumn)
        let targetIndex = try table.columnIndex(targetColumn)
        let features = try featureIndices(table, layout, excluding: [taskIndex, targetIndex])
        let targets = try table.numbers(inColumn: targetIndex)
        let (taskNames, rowsByTask) = try groupRows(table, byColumn: taskIndex)
        let tasks = taskNames.map { task in
            TaskExamples(rows: rowsByTask[task]!, targets: rowsByTask[task]!.map { targets[$0] })
        }
        let lines = table.lineNumbers
        return ExamplePool(
            name: name, path: table.path, layout: .disjoint, featureNames: features.map { table.columnNames[$0] },
            features: try table.numberMatrix(columns: features), taskNames: taskNames, tasks: tasks,
            locate: { row, _ in .field(line: lines[row], column: targetColumn) })
    }

    /// The distinct values of a column in order of first appearance, and the rows of each.
    ///
    /// - Throws: `DataError.Code.missingValue` for an empty field.
    private static func groupRows(_ table: CSVTable, byColumn column: Int) throws -> ([String], [String: [Int]]) {
        var names: [String] = []
        var rows: [String: [Int]] = [:]
        for row in table.records.indices {
            let value = String(table.records[row][column].trimmingASCIISpaces())
            guard !value.isEmpty else {
                throw DataError(
                    .missingValue, path: table.path,
                    location: .field(line: table.lineNumbers[row], column: table.columnNames[column]),
                    "Expected a task name, found an empty field. Every row must name its task.")
            }
            if rows[value] == nil { names.append(value) }
            rows[value, default: []].append(row)
        }
        return (names, rows)
    }

    private static func sharedPool(
        _ table: CSVTable, targets: [Int], _ layout: CSVLayout, _ name: String
    ) throws
        -> ExamplePool
    {
        let features = try featureIndices(table, layout, excluding: Set(targets))
        let rows = Array(table.records.indices)
        let tasks = try targets.map { TaskExamples(rows: rows, targets: try table.numbers(inColumn: $0)) }
        let (lines, targetNames) = (table.lineNumbers, targets.map { table.columnNames[$0] })
        return ExamplePool(
            name: name, path: table.path, layout: .sharedInputs, featureNames: features.map { table.columnNames[$0] },
            features: try table.numberMatrix(columns: features), taskNames: targetNames, tasks: tasks,
            locate: { row, task in .field(line: lines[row], column: targetNames[task]) })
    }

    /// The feature columns: those the layout names, or every column not excluded.
    private static func featureIndices(
        _ table: CSVTable, _ layout: CSVLayout, excluding excluded: Set<Int>
    ) throws
        -> [Int]
    {
        guard let names = layout.featureColumns else {
            let all = table.columnNames.indices.filter { !excluded.contains($0) }
            guard !all.isEmpty else {
                throw DataError(
                    .missingColumn, path: table.path, "Expected feature columns besides the targets, found none.")
            }
            return all
        }
        let indices = try names.map { try table.columnIndex($0) }
        if let clash = indices.first(where: excluded.contains) {
            throw UsageError(
                "Column '\(table.columnNames[clash])' cannot be both a feature and a task or target column.")
        }
        return indices
    }
}
