/// Builds an `ExamplePool` from an `.npz` archive.
///
/// Two layouts are recognised by their array names:
/// - shared inputs: `X` (inputs × features) and `Y` (inputs × tasks, or a vector for one task);
///   tasks are named `task0`, `task1`, … after Y's columns;
/// - disjoint: `X`, `y` (one target per row) and `task` (one whole-number task id per row);
///   tasks are named `task<id>`, in increasing id.
/// Features are named `x0`, `x1`, ….
enum NPZPoolBuilder {
    /// Reads the arrays of the layout the archive holds.
    ///
    /// - Throws: `DataError.Code.missingArray` when neither layout's arrays are present;
    ///   `.shapeMismatch` when X is not two-dimensional or the other arrays' lengths differ
    ///   from X's row count; `.nonFiniteValue` for NaN or infinity in any array;
    ///   `.labelOutOfRange` for a task id that is not a non-negative whole number.
    /// - Complexity: O(inputs × (features + tasks)).
    static func makePool(_ archive: NPZArchive, path: String, name: String) throws -> ExamplePool {
        let features = try matrix(archive, "X", path: path, requiringTwoDimensions: true)
        let featureNames = (0..<features.columns).map { "x\($0)" }
        if archive["Y"] != nil {
            let targets = try matrix(archive, "Y", path: path, rows: features.rows)
            let rows = Array(0..<features.rows)
            let tasks = (0..<targets.columns).map { TaskExamples(rows: rows, targets: targets.column($0)) }
            return ExamplePool(
                name: name, path: path, layout: .sharedInputs, featureNames: featureNames, features: features,
                taskNames: tasks.indices.map { "task\($0)" }, tasks: tasks,
                locate: { row, _ in .arrayElement("Y", index: row) })
        }
        guard archive["y"] != nil, archive["task"] != nil else {
            throw DataError(
                .missingArray, path: path,
                "Expected arrays X and Y (shared inputs) or X, y and task (disjoint), found "
                    + "\(archive.names.map { "'\($0)'" }.joined(separator: ", ")). Save them with numpy.savez.")
        }
        return try disjointPool(archive, features: features, featureNames: featureNames, path: path, name: name)
    }

    private static func disjointPool(
        _ archive: NPZArchive, features: Matrix, featureNames: [String], path: String, name: String
    ) throws -> ExamplePool {
        let targets = try matrix(archive, "y", path: path, rows: features.rows, columns: 1).elements
        let ids = try matrix(archive, "task", path: path, rows: features.rows, columns: 1).elements
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 != $0.rounded() || $0 > Double(Int32.max) }) {
            throw DataError(
                .labelOutOfRange, path: path, location: .arrayElement("task", index: bad),
                "Expected task ids that are whole numbers from 0, found \(ids[bad]).")
        }
        let order = Set(ids.map { Int($0) }).sorted()
        var rowsByTask = [Int: [Int]]()
        for (row, id) in ids.enumerated() { rowsByTask[Int(id), default: []].append(row) }
        let tasks = order.map { TaskExamples(rows: rowsByTask[$0]!, targets: rowsByTask[$0]!.map { targets[$0] }) }
        return ExamplePool(
            name: name, path: path, layout: .disjoint, featureNames: featureNames, features: features,
            taskNames: order.map { "task\($0)" }, tasks: tasks, locate: { row, _ in .arrayElement("y", index: row) })
    }

    /// Array `name` as a matrix (a vector as one column), with its shape and values checked.
    private static func matrix(
        _ archive: NPZArchive, _ name: String, path: String, rows: Int? = nil, columns: Int? = nil,
        requiringTwoDimensions: Bool = false
    ) throws -> Matrix {
        let array = try archive.array(name, path: path)
        guard let matrix = array.matrix, !requiringTwoDimensions || array.shape.count == 2,
            rows.map({ $0 == matrix.rows }) ?? true, columns.map({ $0 == matrix.columns }) ?? true
        else {
            let wanted = requiringTwoDimensions ? "two dimensions (inputs × features)" : expectedShape(rows, columns)
            throw DataError(
                .shapeMismatch, path: path, location: .array(name),
                "Expected \(wanted), found shape \(array.shape). Check the arrays were saved together.")
        }
        if let bad = matrix.elements.firstIndex(where: { !$0.isFinite }) {
            throw DataError(
                .nonFiniteValue, path: path, location: .arrayElement(name, index: bad / max(1, matrix.columns)),
                "Expected finite values, found \(matrix.elements[bad]). Remove or impute missing values first.")
        }
        return matrix
    }

    private static func expectedShape(_ rows: Int?, _ columns: Int?) -> String {
        let rowText = rows.map(String.init) ?? "n"
        return columns == 1 ? "a vector of \(rowText) elements" : "\(rowText) rows (one per row of X)"
    }
}
