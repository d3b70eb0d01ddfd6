import Foundation
import Shared

/// The options every command that reads a dataset accepts, and the loading they drive.
enum DatasetOptions {
    static let valueOptions: Set<String> = [
        "data-dir", "task-column", "target-column", "target-columns", "target-prefix", "feature-columns",
        "target-kind", "fractions", "seed",
    ]
    static let flagOptions: Set<String> = ["no-header", "no-standardize"]

    /// The dataset argument with the options that shape its contents, in a fixed order and with
    /// the split seed always spelled out, such as `yeast --seed 0`: what checkpoints and run
    /// manifests record so that a user can load the same data again. `--data-dir` is left out:
    /// it says where the files are, not what they hold, and the fingerprint covers the contents.
    static func description(_ argument: String, _ arguments: CommandArguments) -> String {
        func quoted(_ word: String) -> String {
            word.contains(where: { $0 == " " || $0 == "'" })
                ? "'\(word.replacingOccurrences(of: "'", with: "'\\''"))'" : word
        }
        var words = [quoted(argument)]
        for name in valueOptions.subtracting(["data-dir", "seed"]).sorted() {
            if let value = arguments.value(name) { words += ["--\(name)", quoted(value)] }
        }
        words += flagOptions.sorted().filter { arguments.isSet($0) }.map { "--\($0)" }
        words += ["--seed", arguments.value("seed") ?? "0"]
        return words.joined(separator: " ")
    }

    /// Loads the dataset named on the command line with the shared dataset options.
    ///
    /// - Throws: `UsageError` for bad options; `DataError` for missing or malformed data.
    static func load(_ argument: String, _ arguments: CommandArguments) throws -> MultitaskDataset {
        let source = try DatasetSource.resolve(argument, csvLayout: try csvLayout(arguments))
        let seed = try arguments.integer("seed", default: 0)
        guard seed >= 0 else { throw UsageError("Option --seed expects a non-negative integer, found \(seed).") }
        let configuration = DatasetConfiguration(
            fractions: try arguments.value("fractions").map { try SplitFractions(parsing: $0) } ?? .standard,
            seed: UInt64(seed), standardizesFeatures: !arguments.isSet("no-standardize"),
            targetKinds: try arguments.value("target-kind").map { try TargetKindChoice(parsing: $0) } ?? .inferred)
        let dataDirectory = DataDirectory.resolve(explicit: arguments.value("data-dir"))
        return try source.load(configuration: configuration, dataDirectory: dataDirectory)
    }

    /// The CSV layout from --task-column/--target-column, --target-columns or --target-prefix.
    private static func csvLayout(_ arguments: CommandArguments) throws -> CSVLayout? {
        let given = ["task-column", "target-columns", "target-prefix"].filter { arguments.value($0) != nil }
        guard given.count <= 1 else {
            throw UsageError("Give only one of --task-column, --target-columns and --target-prefix.")
        }
        let tasks: CSVLayout.Tasks
        if let taskColumn = arguments.value("task-column") {
            guard let target = arguments.value("target-column") else {
                throw UsageError("--task-column needs --target-column to name the column holding each row's target.")
            }
            tasks = .taskColumn(taskColumn, targetColumn: target)
        } else if let columns = arguments.value("target-columns") {
            tasks = .targetColumns(list(columns))
        } else if let prefix = arguments.value("target-prefix") {
            tasks = .targetPrefix(prefix)
        } else {
            guard arguments.value("target-column") == nil else {
                throw UsageError("--target-column needs --task-column; for one column per task use --target-columns.")
            }
            return nil
        }
        return CSVLayout(
            tasks: tasks, featureColumns: arguments.value("feature-columns").map(list),
            hasHeader: !arguments.isSet("no-header"))
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
