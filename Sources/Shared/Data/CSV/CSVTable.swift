/// The records of a CSV file as text, with column names and the line each record starts on.
///
/// Numbers are parsed per column on request, so that an error can name the line, the column,
/// what was expected and what was found.
public struct CSVTable: Sendable, Equatable {
    /// The file the table came from, for error messages.
    public let path: String
    /// One name per column, from the header or generated as `column1`, `column2`, ….
    public let columnNames: [String]
    /// The fields of every data record, each as long as `columnNames`.
    public let records: [[String]]
    /// The 1-based line on which each record starts.
    public let lineNumbers: [Int]

    public init(path: String, columnNames: [String], records: [[String]], lineNumbers: [Int]) {
        precondition(records.count == lineNumbers.count, "Each record needs its line number")
        self.path = path
        self.columnNames = columnNames
        self.records = records
        self.lineNumbers = lineNumbers
    }

    /// The number of data records.
    public var rowCount: Int { records.count }

    /// The position of the column called `name`.
    ///
    /// - Throws: `DataError.Code.missingColumn` listing the columns the file has.
    public func columnIndex(_ name: String) throws -> Int {
        guard let index = columnNames.firstIndex(of: name) else {
            let shown = columnNames.prefix(12).map { "'\($0)'" }.joined(separator: ", ")
            let more = columnNames.count > 12 ? " and \(columnNames.count - 12) more" : ""
            throw DataError(
                .missingColumn, path: path,
                "Expected a column named '\(name)', found columns \(shown)\(more). Check the column options.")
        }
        return index
    }

    /// The values of column `index` as finite numbers.
    ///
    /// - Throws: `DataError.Code.nonNumericField` or `.nonFiniteValue` naming the line and
    ///   column of the first bad field.
    /// - Complexity: O(rows).
    public func numbers(inColumn index: Int) throws -> [Double] {
        try records.indices.map { try number(row: $0, column: index) }
    }

    /// The given columns as a `rows × columns.count` matrix, row-major.
    ///
    /// - Throws: the errors of `number(row:column:)` for the first bad field, row by row.
    /// - Complexity: O(rows × columns).
    public func numberMatrix(columns: [Int]) throws -> Matrix {
        var elements = [Double]()
        elements.reserveCapacity(records.count * columns.count)
        for row in records.indices {
            for column in columns {
                elements.append(try number(row: row, column: column))
            }
        }
        return Matrix(rows: records.count, columns: columns.count, elements: elements)
    }

    /// The field at (`row`, `column`) as a finite number; surrounding spaces are allowed.
    ///
    /// - Throws: `DataError.Code.nonNumericField` for text (including an empty field) and
    ///   `.nonFiniteValue` for NaN or infinity, each naming the line and the column.
    public func number(row: Int, column: Int) throws -> Double {
        let field = records[row][column]
        let location = DataLocation.field(line: lineNumbers[row], column: columnNames[column])
        guard let value = Double(field.trimmingASCIISpaces()) else {
            let found = field.isEmpty ? "an empty field" : "'\(field.prefix(40))'"
            throw DataError(
                .nonNumericField, path: path, location: location,
                "Expected a number, found \(found). Fix the value, or leave the column out of the features.")
        }
        guard value.isFinite else {
            throw DataError(
                .nonFiniteValue, path: path, location: location,
                "Expected a finite number, found '\(field)'. Remove or impute missing and infinite values first.")
        }
        return value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
