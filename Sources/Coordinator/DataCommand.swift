import Foundation
import Shared

/// `mtif data …`: look at datasets before training on them.
enum DataCommand {
    static let describe = Subcommand(
        name: "data describe",
        summary: "Print a dataset's tasks, split sizes, features, target kinds and fingerprint",
        help: """
            Usage: mtif data describe <dataset> [options]

            <dataset> is a .csv, .csv.gz or .npz file, or a built-in dataset with optional
            settings after a colon:
              yeast                         14 binary tasks over 2417 genes (shared inputs)
              digits[:tasks=…,pairs=…]      scikit-learn digits; default five pairs 0-1/…/8-9
              fashion-mnist[:tasks=…,pairs=…,n=N,test-n=N]
                                            Fashion-MNIST; default five class pairs; n and
                                            test-n limit examples per task (inputs for the
                                            one-vs-rest and multiclass designs)
              synthetic[:K=4,n=100,d=10,noise=0.5,shared=0.8,conflicting=0,seed=0,kind=regression]
            tasks= is pairs, one-vs-rest or multiclass. Built-in files are looked up in the
            data directory (run scripts/fetch-data first); datasets/README.md describes each.

            CSV layout (one of):
              --task-column NAME --target-column NAME   one task per row (disjoint tasks)
              --target-columns A,B,…                    one target column per task (shared inputs)
              --target-prefix P                         every column starting with P is a task
            Other options:
              --feature-columns A,B,…   feature columns (default: all other columns)
              --no-header               the CSV has no header; columns are column1, column2, …
              --target-kind KIND        regression, binary or multiclass:C for every task, or
                                        task=kind pairs; default: inferred from the values
              --fractions T,V,E         train, validation, test fractions (default 0.6,0.2,0.2)
              --seed N                  split seed (default 0)
              --no-standardize          keep features as read (default: standardise with
                                        train statistics)
              --data-dir DIR            built-in data (default: $MTIF_DATA_DIR, ./data, or the
                                        package's data directory)

            Examples:
              mtif data describe yeast
              mtif data describe synthetic:K=4,conflicting=1 --seed 3
              mtif data describe scores.csv --task-column school --target-column score
            """,
        valueOptions: datasetValueOptions,
        flagOptions: datasetFlagOptions,
        run: { arguments in
            guard arguments.positional.count == 1 else {
                throw UsageError("data describe expects one dataset, found \(arguments.positional.count) arguments.")
            }
            let dataset = try loadDataset(arguments.positional[0], arguments)
            print(DatasetReport(dataset).text)
        })

    /// The options that choose and shape a dataset, taking a value; every command that loads a
    /// dataset accepts them.
    static let datasetValueOptions: Set<String> = [
        "data-dir", "task-column", "target-column", "target-columns", "target-prefix", "feature-columns",
        "target-kind", "fractions", "seed",
    ]

    /// The dataset flags.
    static let datasetFlagOptions: Set<String> = ["no-header", "no-standardize"]

    /// The dataset argument with the options that shape its contents, in a fixed order and with
    /// the split seed always spelled out, such as `yeast --seed 0`: what checkpoints record so that
    /// a user can load the same data again. `--data-dir` is left out: it says where the files
    /// are, not what they hold, and the fingerprint covers the contents.
    static func datasetDescription(_ argument: String, _ arguments: CommandArguments) -> String {
        func quoted(_ word: String) -> String {
            word.contains(where: { $0 == " " || $0 == "'" })
                ? "'\(word.replacingOccurrences(of: "'", with: "'\\''"))'" : word
        }
        var words = [quoted(argument)]
        for name in datasetValueOptions.subtracting(["data-dir", "seed"]).sorted() {
            if let value = arguments.value(name) { words += ["--\(name)", quoted(value)] }
        }
        words += datasetFlagOptions.sorted().filter { arguments.isSet($0) }.map { "--\($0)" }
        words += ["--seed", arguments.value("seed") ?? "0"]
        return words.joined(separator: " ")
    }

    /// Loads the dataset named on the command line with the shared dataset options.
    ///
    /// - Throws: `UsageError` for bad options; `DataError` for missing or malformed data.
    static func loadDataset(_ argument: String, _ arguments: CommandArguments) throws -> MultitaskDataset {
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
