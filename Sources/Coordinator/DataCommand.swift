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
        valueOptions: DatasetOptions.valueOptions,
        flagOptions: DatasetOptions.flagOptions,
        run: { arguments in
            guard arguments.positional.count == 1 else {
                throw UsageError("data describe expects one dataset, found \(arguments.positional.count) arguments.")
            }
            let dataset = try DatasetOptions.load(arguments.positional[0], arguments)
            print(DatasetReport(dataset).text)
        })
}

extension DataCommand {
    static let export = Subcommand(
        name: "data export",
        summary: "Write a dataset's splits, as mtif sees them, to .npz (plus task names as JSON)",
        help: """
            Usage: mtif data export <dataset> --out FILE.npz [dataset options]

            Writes X_train, X_validation, X_test (standardised as mtif trains on them), the
            targets (Y_<split> inputs × K for shared inputs; y_/task_/row_<split> for disjoint
            tasks) and source_<split> row ids, for running other tools on the same numbers.
            FILE.json beside it lists the task names, layout and fingerprint.

            Example:
              mtif data export yeast --out yeast-splits.npz
            """,
        valueOptions: DatasetOptions.valueOptions.union(["out"]),
        flagOptions: DatasetOptions.flagOptions,
        run: { arguments in
            guard arguments.positional.count == 1, let out = arguments.value("out") else {
                throw UsageError("data export expects one dataset and --out FILE.npz.")
            }
            let dataset = try DatasetOptions.load(arguments.positional[0], arguments)
            try DatasetExport.archive(dataset).write(to: out)
            let description = ExportDescription(
                dataset: DatasetOptions.description(arguments.positional[0], arguments),
                layout: dataset.layout.rawValue,
                fingerprint: dataset.fingerprint(), taskNames: dataset.tasks.map(\.name))
            let json = URL(fileURLWithPath: out).deletingPathExtension().appendingPathExtension("json")
            try RunFiles.writeJSON(description, to: json)
        })
}

/// The JSON companion of `mtif data export`.
private struct ExportDescription: Encodable {
    var dataset: String
    var layout: String
    var fingerprint: String
    var taskNames: [String]
}
