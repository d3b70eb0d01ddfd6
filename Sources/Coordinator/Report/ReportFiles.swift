import Foundation
import Shared

/// Reading the JSON and CSV files of a run directory, with errors that name the file, the place
/// in it, what was expected and what was found (all `DataError`, exit status 65).
enum ReportFiles {
    /// Whether a regular file or a directory is at `path`.
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// The names in `directory` ending in `suffix`, sorted; none when the directory is absent.
    static func names(in directory: String, endingWith suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
    }

    /// Decodes the JSON file at `path`; "nan", "inf" and "-inf" strings stand for those numbers,
    /// as mtif writes them.
    ///
    /// - Throws: the errors of `DataFile.readBytes(_:)`; `DataError.Code.malformedHeader` naming
    ///   the field that is missing or of the wrong type.
    static func decodeJSON<Value: Decodable>(_ type: Value.Type, path: String) throws -> Value {
        let bytes = try DataFile.readBytes(path)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw DataError(
                .malformedHeader, path: path, "The JSON does not have the expected shape: \(describe(error)).")
        } catch {
            throw DataError(.malformedHeader, path: path, "The file is not JSON: \(error.localizedDescription)")
        }
    }

    /// A decoding failure as "missing field 'dataset.tasks'" and the like.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level"
                : "'"
                    + path.map { $0.intValue.map(String.init) ?? $0.stringValue }
                    .joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(field(context.codingPath + [key]))"
        case .typeMismatch(let type, let context): return "\(field(context.codingPath)) is not of type \(type)"
        case .valueNotFound(let type, let context): return "\(field(context.codingPath)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return "\(field(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The fields of column `name` as text.
    ///
    /// - Throws: `DataError.Code.missingColumn` listing the columns the file has.
    static func texts(_ table: CSVTable, _ name: String) throws -> [String] {
        let column = try table.columnIndex(name)
        return table.records.map { $0[column] }
    }

    /// The fields of column `name` as integers.
    ///
    /// - Throws: `.missingColumn`; `.nonNumericField` naming the line of the first field that is
    ///   not an integer.
    static func integers(_ table: CSVTable, _ name: String) throws -> [Int] {
        let column = try table.columnIndex(name)
        return try table.records.indices.map { row in
            guard let value = Int(table.records[row][column].trimmingCharacters(in: .whitespaces)) else {
                throw DataError(
                    .nonNumericField, path: table.path, location: .field(line: table.lineNumbers[row], column: name),
                    "Expected an integer, found '\(table.records[row][column].prefix(40))'.")
            }
            return value
        }
    }

    /// The fields of column `name` as finite numbers.
    static func numbers(_ table: CSVTable, _ name: String) throws -> [Double] {
        try table.numbers(inColumn: table.columnIndex(name))
    }

    /// The fields of column `name` as positions in `taskNames`.
    ///
    /// - Throws: `.missingColumn`; `.labelOutOfRange` naming the line of a task the run does not
    ///   have, and listing those it has.
    static func tasks(_ table: CSVTable, _ name: String, taskNames: [String]) throws -> [Int] {
        let positions = Dictionary(taskNames.enumerated().map { ($1, $0) }) { first, _ in first }
        return try texts(table, name).enumerated().map { row, text in
            guard let position = positions[text] else {
                throw DataError(
                    .labelOutOfRange, path: table.path,
                    location: .field(line: table.lineNumbers[row], column: name),
                    "Expected a task of the run (\(listed(taskNames))), found '\(text.prefix(40))'.")
            }
            return position
        }
    }

    /// Up to eight names, then how many more.
    static func listed(_ names: [String]) -> String {
        let shown = names.prefix(8).joined(separator: ", ")
        return names.count > 8 ? shown + " and \(names.count - 8) more" : shown
    }
}

/// A K × K task matrix as JSON: `task-matrix.json`, `evaluation/loto.json`, or a baseline in
/// `evaluation/baselines/` (docs/file-formats.md, "Evaluation files read by mtif report").
struct TaskMatrixDocument: Decodable {
    /// The method's name, shown as the heatmap's title; required for baselines.
    var method: String?
    /// What the numbers are, shown under the heatmap.
    var description: String?
    /// Whether a positive value says that train task l harms or helps query task k; absent
    /// means "harms", the sign of MTIF and of leave-one-task-out retraining.
    var positiveMeans: Effect?
    var trainTasks: [String]
    var queryTasks: [String]
    var values: [[Double]]

    /// The values with rows and columns in the order of `taskNames`.
    ///
    /// - Throws: `DataError.Code.shapeMismatch` when the matrix is not `trainTasks.count ×
    ///   queryTasks.count`, or when its tasks are not exactly the run's tasks.
    func values(orderedAs taskNames: [String], path: String) throws -> [[Double]] {
        guard values.count == trainTasks.count, values.allSatisfy({ $0.count == queryTasks.count }) else {
            let found = values.map { String($0.count) }.joined(separator: ", ")
            throw DataError(
                .shapeMismatch, path: path,
                "Expected \(trainTasks.count) rows of \(queryTasks.count) values ('trainTasks' × 'queryTasks'), "
                    + "found \(values.count) rows of lengths [\(found)].")
        }
        for (field, names) in [("trainTasks", trainTasks), ("queryTasks", queryTasks)]
        where names.sorted() != taskNames.sorted() {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected '\(field)' to list the run's \(taskNames.count) tasks (\(ReportFiles.listed(taskNames))), "
                    + "found \(names.count): \(ReportFiles.listed(names)).")
        }
        let rows = taskNames.map { trainTasks.firstIndex(of: $0)! }
        let columns = taskNames.map { queryTasks.firstIndex(of: $0)! }
        return rows.map { row in columns.map { values[row][$0] } }
    }
}
