import Foundation
import Testing

@testable import Shared

@Suite("CSV reading: quoting, line numbers and field errors")
struct CSVReaderTests {
    static func parse(_ text: String, hasHeader: Bool = true) throws -> CSVTable {
        try CSVReader.parse(Array(text.utf8), path: "test.csv", hasHeader: hasHeader)
    }

    @Test("Quoted fields keep commas, doubled quotes and newlines; records keep their first line")
    func quoting() throws {
        let table = try Self.parse("name,value\n\"a, b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n")
        #expect(table.columnNames == ["name", "value"])
        #expect(table.records.map(\.[0]) == ["a, b", "say \"hi\"", "two\nlines"])
        #expect(table.lineNumbers == [2, 3, 4])
        #expect(try table.numbers(inColumn: 1) == [1, 2, 3])
    }

    @Test("CRLF endings, blank lines, a byte-order mark and a missing final newline are accepted")
    func lineEndings() throws {
        let table = try Self.parse("\u{FEFF}x,y\r\n1,2\r\n\r\n3,4")
        #expect(table.columnNames == ["x", "y"])
        #expect(try table.numberMatrix(columns: [0, 1]) == Matrix(rowArrays: [[1, 2], [3, 4]]))
        #expect(table.lineNumbers == [2, 4])
    }

    @Test("Without a header the columns are numbered from 1")
    func noHeader() throws {
        let table = try Self.parse("1,2,3\n4,5,6\n", hasHeader: false)
        #expect(table.columnNames == ["column1", "column2", "column3"])
        #expect(table.rowCount == 2)
    }

    @Test("A row with too few or too many fields is a ragged row naming its line")
    func raggedRows() throws {
        for text in ["a,b\n1,2\n3\n", "a,b\n1,2\n3,4,5\n"] {
            let error = try #require(throws: DataError.self) { try Self.parse(text) }
            #expect(error.code == .raggedRow)
            #expect(error.location == .line(3))
            #expect(error.message.hasPrefix("test.csv, line 3"))
        }
    }

    @Test("A quote that never closes or is followed by text is malformed quoting")
    func badQuotes() throws {
        for text in ["a,b\n\"open,1\n", "a,b\n\"x\"y,1\n"] {
            let error = try #require(throws: DataError.self) { try Self.parse(text) }
            #expect(error.code == .malformedQuoting)
        }
    }

    @Test("Text in a numeric column is a non-numeric field naming line and column")
    func nonNumeric() throws {
        let table = try Self.parse("a,b\n1,2\n3,four\n")
        let error = try #require(throws: DataError.self) { try table.numbers(inColumn: 1) }
        #expect(error.code == .nonNumericField)
        #expect(error.location == .field(line: 3, column: "b"))
        #expect(error.message.contains("'four'"))
        let empty = try Self.parse("a,b\n1,\n")
        #expect(throws: DataError.self) { try empty.numbers(inColumn: 1) }
    }

    @Test(
        "NaN and infinite values are non-finite values naming line and column",
        arguments: ["nan", "NaN", "inf", "-Infinity"])
    func nonFinite(value: String) throws {
        let table = try Self.parse("a,b\n1,2\n\(value),3\n")
        let error = try #require(throws: DataError.self) { try table.numberMatrix(columns: [0, 1]) }
        #expect(error.code == .nonFiniteValue)
        #expect(error.location == .field(line: 3, column: "a"))
    }

    @Test("An unknown column is a missing column listing the columns found")
    func missingColumn() throws {
        let table = try Self.parse("alpha,beta\n1,2\n")
        let error = try #require(throws: DataError.self) { try table.columnIndex("gamma") }
        #expect(error.code == .missingColumn)
        #expect(error.message.contains("'alpha', 'beta'"))
    }

    @Test("A gzip-compressed CSV written by Python reads like the plain text")
    func gzipFile() throws {
        let table = try CSVReader.read(path: FixtureFiles.path("small.csv.gz"))
        #expect(table.columnNames == ["a", "b", "target"])
        #expect(try table.numberMatrix(columns: [0, 1, 2]) == Matrix(rowArrays: [[1, 2, 0], [3, 4, 1], [5, 6, 0]]))
    }

    @Test("An empty file, or one of blank lines, is refused as truncated")
    func emptyFile() throws {
        for text in ["", "\n\r\n\n"] {
            let error = try #require(throws: DataError.self) { try Self.parse(text) }
            #expect(error.code == .truncatedFile)
        }
    }

    @Test("A missing file is reported as not found")
    func missingFile() throws {
        let error = try #require(throws: DataError.self) {
            try CSVReader.read(path: FixtureFiles.temporaryPath(".csv"))
        }
        #expect(error.code == .fileNotFound)
    }
}
