/// Reads comma-separated text into a `CSVTable`, keeping each record's line number for errors.
///
/// The dialect is RFC 4180's: a comma between fields, records ending in LF or CRLF, fields
/// optionally in double quotes, with `""` standing for a quote inside a quoted field. A quoted
/// field may span lines; its record keeps the line it started on. Blank lines are skipped and a
/// leading UTF-8 byte-order mark is ignored. Files whose name ends in `.gz` are decompressed
/// first.
public enum CSVReader {
    /// Reads the CSV (or gzip-compressed CSV) file at `path`.
    ///
    /// - Parameters:
    ///   - path: a `.csv` or `.csv.gz` file.
    ///   - hasHeader: whether the first record names the columns. Without one, the columns are
    ///     named `column1`, `column2`, … after the first record's width.
    /// - Throws: the errors of `DataFile.readBytesDecompressing(_:)`, and of
    ///   `parse(_:path:hasHeader:)`.
    public static func read(path: String, hasHeader: Bool = true) throws -> CSVTable {
        try parse(DataFile.readBytesDecompressing(path), path: path, hasHeader: hasHeader)
    }

    /// Parses CSV text.
    ///
    /// - Throws: `DataError.Code.raggedRow` for a record whose field count differs from the
    ///   header's; `.malformedQuoting` for a quote that never closes or is followed by stray
    ///   characters; `.truncatedFile` when the text holds no records at all.
    /// - Complexity: O(n) in the number of bytes.
    public static func parse(_ bytes: [UInt8], path: String, hasHeader: Bool = true) throws -> CSVTable {
        var tokenizer = CSVTokenizer(bytes: bytes, path: path)
        var header: [String]?
        var records: [[String]] = []
        var lineNumbers: [Int] = []
        while let (fields, line) = try tokenizer.nextRecord() {
            if hasHeader && header == nil {
                header = fields
                continue
            }
            let width = header?.count ?? records.first?.count ?? fields.count
            guard fields.count == width else {
                throw raggedRow(path: path, line: line, expected: width, found: fields.count, hasHeader: hasHeader)
            }
            records.append(fields)
            lineNumbers.append(line)
        }
        let names = header ?? (0..<(records.first?.count ?? 0)).map { "column\($0 + 1)" }
        guard !names.isEmpty else {
            throw DataError(.truncatedFile, path: path, "Expected a header and data rows, found an empty file.")
        }
        return CSVTable(path: path, columnNames: names, records: records, lineNumbers: lineNumbers)
    }

    private static func raggedRow(path: String, line: Int, expected: Int, found: Int, hasHeader: Bool) -> DataError {
        let reference = hasHeader ? "the header" : "the first row"
        return DataError(
            .raggedRow, path: path, location: .line(line),
            "Expected \(expected) fields as in \(reference), found \(found). "
                + "Check this line for a missing or extra comma, or an unquoted comma inside a value.")
    }
}

/// Splits CSV bytes into records of fields, one record per call.
private struct CSVTokenizer {
    let bytes: [UInt8]
    let path: String
    private var position = 0
    private var line = 1

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private static func endsField(_ byte: UInt8) -> Bool {
        byte == comma || byte == newline || byte == carriageReturn
    }

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// The next non-blank record and the line it starts on, or nil at the end of the text.
    mutating func nextRecord() throws -> ([String], Int)? {
        skipBlankLines()
        guard position < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        while true {
            fields.append(try nextField())
            guard position < bytes.count, bytes[position] == Self.comma else { break }
            position += 1
        }
        consumeLineEnd()
        return (fields, start)
    }

    private mutating func skipBlankLines() {
        while position < bytes.count, bytes[position] == Self.newline || bytes[position] == Self.carriageReturn {
            if bytes[position] == Self.newline { line += 1 }
            position += 1
        }
    }

    private mutating func consumeLineEnd() {
        if position < bytes.count, bytes[position] == Self.carriageReturn { position += 1 }
        if position < bytes.count, bytes[position] == Self.newline {
            position += 1
            line += 1
        }
    }

    /// One field, quoted or not; stops before the comma or line end that follows it.
    private mutating func nextField() throws -> String {
        guard position < bytes.count, bytes[position] == Self.quote else {
            let start = position
            while position < bytes.count, !Self.endsField(bytes[position]) {
                position += 1
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        return try quotedField()
    }

    /// A field in double quotes, with `""` unescaped; the field may contain commas and newlines.
    private mutating func quotedField() throws -> String {
        let openingLine = line
        position += 1
        var value: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == Self.newline { line += 1 }
            guard byte == Self.quote else {
                value.append(byte)
                continue
            }
            guard position < bytes.count, bytes[position] == Self.quote else { return try closing(value, openingLine) }
            value.append(Self.quote)
            position += 1
        }
        throw DataError(
            .malformedQuoting, path: path, location: .line(openingLine),
            "A quoted field opened on this line is never closed. Add the closing double quote, "
                + "or double any quote inside the value (\"\").")
    }

    /// Checks that a closing quote ends the field.
    private func closing(_ value: [UInt8], _ openingLine: Int) throws -> String {
        guard position == bytes.count || Self.endsField(bytes[position]) else {
            throw DataError(
                .malformedQuoting, path: path, location: .line(line),
                "Expected a comma or the end of the line after a closing quote, found "
                    + "'\(String(decoding: [bytes[position]], as: UTF8.self))'. "
                    + "Write a quote inside a quoted value as two quotes (\"\").")
        }
        return String(decoding: value, as: UTF8.self)
    }
}
