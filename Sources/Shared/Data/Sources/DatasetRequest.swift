import Foundation

/// A dataset as a command line names it: the argument (a file or a built-in name) and the
/// options that shape what is loaded (CSV columns, split fractions and seed, standardisation,
/// target kinds).
///
/// It travels: checkpoints and run manifests record its `description`, and workers that read
/// the data themselves receive it as JSON and load exactly what the coordinator loaded (the
/// fingerprint is checked on both sides). Where the files live (`--data-dir`) is not part of
/// it, because that differs between machines while the contents must not.
public struct DatasetRequest: Sendable, Equatable, Codable {
    /// The options with a value that shape a dataset, plus `data-dir`.
    public static let valueOptions: Set<String> = [
        "data-dir", "task-column", "target-column", "target-columns", "target-prefix", "feature-columns",
        "target-kind", "fractions", "seed",
    ]
    public static let flagOptions: Set<String> = ["no-header", "no-standardize"]

    public let argument: String
    /// Option name (without `--`) → value, for the value options other than `data-dir`.
    public let options: [String: String]
    /// The flags set, sorted.
    public let flags: [String]

    /// The request a command line makes.
    public init(_ argument: String, _ arguments: CommandArguments) {
        self.argument = argument
        var options: [String: String] = [:]
        for name in Self.valueOptions.subtracting(["data-dir"]) {
            if let value = arguments.value(name) { options[name] = value }
        }
        self.options = options
        flags = Self.flagOptions.sorted().filter { arguments.isSet($0) }
    }

    /// The argument with its options in a fixed order and the split seed always spelled out,
    /// such as `yeast --seed 0`: what checkpoints and run manifests record so that a user can
    /// load the same data again.
    public var description: String {
        func quoted(_ word: String) -> String {
            word.contains(where: { $0 == " " || $0 == "'" })
                ? "'\(word.replacingOccurrences(of: "'", with: "'\\''"))'" : word
        }
        var words = [quoted(argument)]
        for name in options.keys.filter({ $0 != "seed" }).sorted() {
            words += ["--\(name)", quoted(options[name]!)]
        }
        words += flags.map { "--\($0)" }
        words += ["--seed", options["seed"] ?? "0"]
        return words.joined(separator: " ")
    }

    /// Loads the dataset.
    ///
    /// - Parameter dataDirectory: where built-in datasets' files are.
    /// - Throws: `UsageError` for bad options; `DataError` for missing or malformed data.
    public func load(dataDirectory: DataDirectory) throws -> MultitaskDataset {
        let source = try DatasetSource.resolve(argument, csvLayout: try csvLayout())
        let seedText = value("seed") ?? "0"
        guard let seed = UInt64(seedText) else {
            throw UsageError("Option --seed expects a non-negative integer, found '\(seedText)'.")
        }
        let configuration = DatasetConfiguration(
            fractions: try value("fractions").map { try SplitFractions(parsing: $0) } ?? .standard,
            seed: seed, standardizesFeatures: !isSet("no-standardize"),
            targetKinds: try value("target-kind").map { try TargetKindChoice(parsing: $0) } ?? .inferred)
        return try source.load(configuration: configuration, dataDirectory: dataDirectory)
    }

    private func value(_ name: String) -> String? { options[name] }

    private func isSet(_ flag: String) -> Bool { flags.contains(flag) }

    /// The CSV layout from --task-column/--target-column, --target-columns or --target-prefix.
    private func csvLayout() throws -> CSVLayout? {
        let given = ["task-column", "target-columns", "target-prefix"].filter { value($0) != nil }
        guard given.count <= 1 else {
            throw UsageError("Give only one of --task-column, --target-columns and --target-prefix.")
        }
        let tasks: CSVLayout.Tasks
        if let taskColumn = value("task-column") {
            guard let target = value("target-column") else {
                throw UsageError("--task-column needs --target-column to name the column holding each row's target.")
            }
            tasks = .taskColumn(taskColumn, targetColumn: target)
        } else if let columns = value("target-columns") {
            tasks = .targetColumns(Self.list(columns))
        } else if let prefix = value("target-prefix") {
            tasks = .targetPrefix(prefix)
        } else {
            guard value("target-column") == nil else {
                throw UsageError("--target-column needs --task-column; for one column per task use --target-columns.")
            }
            return nil
        }
        return CSVLayout(
            tasks: tasks, featureColumns: value("feature-columns").map(Self.list),
            hasHeader: !isSet("no-header"))
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
