/// A parsed command line: positional words, options with values, and boolean flags.
///
/// Accepts `--name value`, `--name=value` and bare `--flag`; which names take a value is declared
/// by the caller, so `--flag positional` is never misread. `--` ends option parsing.
public struct CommandArguments: Sendable {
    public private(set) var positional: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `words` given the option names that take a value and the flag names.
    ///
    /// - Throws: `UsageError` for an unknown option, a missing value, or a value given to a flag.
    public init(_ words: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws {
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            guard !optionsEnded, word.hasPrefix("-"), word != "-" else {
                positional.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let body = word.drop(while: { $0 == "-" })
            let name = String(body.prefix(while: { $0 != "=" }))
            let inlineValue = body.contains("=") ? String(body.drop(while: { $0 != "=" }).dropFirst()) : nil
            if valueOptions.contains(name) {
                if let inlineValue {
                    values[name, default: []].append(inlineValue)
                } else if index < words.count {
                    values[name, default: []].append(words[index])
                    index += 1
                } else {
                    throw UsageError("Option --\(name) needs a value.")
                }
            } else if flagOptions.contains(name) {
                guard inlineValue == nil else { throw UsageError("Flag --\(name) takes no value.") }
                flags.insert(name)
            } else {
                let known = (valueOptions.union(flagOptions)).sorted().map { "--\($0)" }.joined(separator: ", ")
                throw UsageError("Unknown option \(word). Known options: \(known.isEmpty ? "none" : known).")
            }
        }
    }

    /// The last value given for `name`, if any.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable option, in order.
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether the flag was given.
    public func isSet(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `name` parsed as an integer, or `defaultValue` when absent.
    ///
    /// - Throws: `UsageError` naming the option and the text found.
    public func integer(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text) else { throw UsageError("Option --\(name) expects an integer, found '\(text)'.") }
        return number
    }

    /// The value of `name` parsed as a real number, or `defaultValue` when absent.
    ///
    /// - Throws: `UsageError` naming the option and the text found.
    public func real(_ name: String, default defaultValue: Double) throws -> Double {
        guard let text = value(name) else { return defaultValue }
        guard let number = Double(text), number.isFinite else {
            throw UsageError("Option --\(name) expects a finite number, found '\(text)'.")
        }
        return number
    }
}

/// A malformed command line or configuration.
public struct UsageError: ReportableError {
    public let message: String
    public let site: ThrowSite
    public var category: FailureCategory { .usage }

    public init(_ message: String, site: ThrowSite = ThrowSite()) {
        self.message = message
        self.site = site
    }
}
