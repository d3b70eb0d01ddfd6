/// The dictionary in an `.npy` header: element type, storage order and shape.
///
/// NumPy writes it as a Python literal, for example
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`. The parser here accepts
/// exactly that grammar: a dictionary of quoted keys whose values are quoted strings, `True`,
/// `False` or tuples of non-negative integers.
struct NPYHeader: Equatable {
    var descriptor: String
    var isFortranOrder: Bool
    var shape: [Int]

    /// The header's text as NumPy writes it (before padding).
    var literal: String {
        let dimensions = shape.map(String.init).joined(separator: ", ")
        let tuple = shape.count == 1 ? "(\(dimensions),)" : "(\(dimensions))"
        let order = isFortranOrder ? "True" : "False"
        return "{'descr': '\(descriptor)', 'fortran_order': \(order), 'shape': \(tuple), }"
    }

    /// Parses a header literal.
    ///
    /// - Throws: `HeaderSyntaxError` with a sentence saying what was expected where.
    init(parsing text: String) throws(HeaderSyntaxError) {
        var parser = LiteralParser(characters: Array(text))
        let entries = try parser.dictionary()
        guard case .text(let descriptor)? = entries["descr"] else {
            throw HeaderSyntaxError("expected a 'descr' entry holding a string")
        }
        guard case .flag(let isFortranOrder)? = entries["fortran_order"] else {
            throw HeaderSyntaxError("expected a 'fortran_order' entry holding True or False")
        }
        guard case .tuple(let shape)? = entries["shape"] else {
            throw HeaderSyntaxError("expected a 'shape' entry holding a tuple of integers")
        }
        self.init(descriptor: descriptor, isFortranOrder: isFortranOrder, shape: shape)
    }

    init(descriptor: String, isFortranOrder: Bool, shape: [Int]) {
        self.descriptor = descriptor
        self.isFortranOrder = isFortranOrder
        self.shape = shape
    }
}

/// Why a header literal did not parse.
struct HeaderSyntaxError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A recursive-descent parser over the header's characters.
private struct LiteralParser {
    enum Value: Equatable {
        case text(String)
        case flag(Bool)
        case tuple([Int])
    }

    let characters: [Character]
    var position = 0

    mutating func dictionary() throws(HeaderSyntaxError) -> [String: Value] {
        try expect("{")
        var entries: [String: Value] = [:]
        while try peekSkippingSpace() != "}" {
            let key = try quoted()
            try expect(":")
            entries[key] = try value()
            if try peekSkippingSpace() == "," { position += 1 }
        }
        position += 1
        return entries
    }

    private mutating func value() throws(HeaderSyntaxError) -> Value {
        switch try peekSkippingSpace() {
        case "'", "\"": return .text(try quoted())
        case "(": return .tuple(try tuple())
        default: break
        }
        for (word, flag) in [("True", true), ("False", false)] where matches(word) {
            position += word.count
            return .flag(flag)
        }
        throw HeaderSyntaxError("expected a string, a tuple, True or False at character \(position)")
    }

    private mutating func tuple() throws(HeaderSyntaxError) -> [Int] {
        try expect("(")
        var dimensions: [Int] = []
        while try peekSkippingSpace() != ")" {
            let digits = characters[position...].prefix(while: { $0.isASCII && $0.isNumber })
            guard let dimension = Int(String(digits)) else {
                throw HeaderSyntaxError("expected a non-negative integer in the shape at character \(position)")
            }
            dimensions.append(dimension)
            position += digits.count
            if try peekSkippingSpace() == "," { position += 1 }
        }
        position += 1
        return dimensions
    }

    private mutating func quoted() throws(HeaderSyntaxError) -> String {
        let quote = try peekSkippingSpace()
        guard quote == "'" || quote == "\"" else {
            throw HeaderSyntaxError("expected a quoted string at character \(position)")
        }
        guard let end = characters[(position + 1)...].firstIndex(of: quote) else {
            throw HeaderSyntaxError("a string starting at character \(position) is never closed")
        }
        defer { position = end + 1 }
        return String(characters[(position + 1)..<end])
    }

    private mutating func expect(_ character: Character) throws(HeaderSyntaxError) {
        guard try peekSkippingSpace() == character else {
            throw HeaderSyntaxError("expected '\(character)' at character \(position)")
        }
        position += 1
    }

    private mutating func peekSkippingSpace() throws(HeaderSyntaxError) -> Character {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
        guard position < characters.count else { throw HeaderSyntaxError("the header ends early") }
        return characters[position]
    }

    private func matches(_ word: String) -> Bool {
        characters[position...].starts(with: word)
    }
}
