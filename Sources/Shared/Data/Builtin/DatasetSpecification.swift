/// A dataset named with options, as in `synthetic:K=4,n=100,noise=0.5`.
///
/// The part before the first colon is the name; after it come comma-separated `key=value`
/// pairs. Keys are case-sensitive (`K` and `k` differ only if a dataset says so). Every typed
/// getter throws a `UsageError` that names the dataset, the key, the value found and what is
/// allowed.
public struct DatasetSpecification: Sendable, Equatable {
    public let name: String
    /// The options in the order given.
    public let options: [(key: String, value: String)]

    /// Splits `text` into a name and options.
    ///
    /// - Throws: `UsageError` for an option without `=`, an empty key or a repeated key.
    public init(parsing text: String) throws(UsageError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        name = String(parts[0])
        var options: [(key: String, value: String)] = []
        for item in (parts.count > 1 ? parts[1].split(separator: ",") : []) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0]).trimmingASCIISpaces()
            guard pair.count == 2, !key.isEmpty else {
                throw UsageError("Dataset '\(name)': expected options as key=value, found '\(item)'.")
            }
            guard !options.contains(where: { $0.key == key }) else {
                throw UsageError("Dataset '\(name)': option '\(key)' is given twice.")
            }
            options.append((String(key), String(String(pair[1]).trimmingASCIISpaces())))
        }
        self.options = options
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.options.elementsEqual(rhs.options) { $0.key == $1.key && $0.value == $1.value }
    }

    /// The raw value of `key`, if given.
    public func value(_ key: String) -> String? {
        options.first { $0.key == key }?.value
    }

    /// Refuses keys outside `known`.
    ///
    /// - Throws: `UsageError` naming the unknown key and listing the known ones.
    public func requireOnly(_ known: [String]) throws(UsageError) {
        if let unknown = options.first(where: { !known.contains($0.key) }) {
            throw UsageError(
                "Dataset '\(name)' has no option '\(unknown.key)'. Known options: \(known.joined(separator: ", ")).")
        }
    }

    /// The integer value of `key` within `range`, or `defaultValue` when absent.
    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int
    {
        try integer(key, in: range) ?? defaultValue
    }

    /// The integer value of `key` within `range`, or nil when absent.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = value(key) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "Dataset '\(name)': option \(key) expects a whole number from \(range.lowerBound) to "
                    + "\(range.upperBound), found '\(text)'.")
        }
        return number
    }

    /// The real value of `key` within `range`, or `defaultValue` when absent.
    public func real(
        _ key: String, default defaultValue: Double, in range: ClosedRange<Double>
    ) throws(UsageError)
        -> Double
    {
        guard let text = value(key) else { return defaultValue }
        guard let number = Double(text), range.contains(number) else {
            throw UsageError(
                "Dataset '\(name)': option \(key) expects a number from \(range.lowerBound) to \(range.upperBound), "
                    + "found '\(text)'.")
        }
        return number
    }

    /// The value of `key`, which must be one of `allowed`, or `defaultValue` when absent.
    public func choice(_ key: String, default defaultValue: String, allowed: [String]) throws(UsageError) -> String {
        guard let text = value(key) else { return defaultValue }
        guard allowed.contains(text) else {
            throw UsageError(
                "Dataset '\(name)': option \(key) expects one of \(allowed.joined(separator: ", ")), found '\(text)'.")
        }
        return text
    }
}
