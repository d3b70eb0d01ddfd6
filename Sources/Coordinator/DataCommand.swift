import Foundation
import Shared

/// `mtif data …`: look at datasets before training on them.
enum DataCommand {
    static let describe = Subcommand(
        name: "data describe",
        summary: "Print a dataset's tasks, split sizes, features and target kinds",
        help: """
            Usage: mtif data describe <dataset> [--data-dir DIR]

            <dataset> is a CSV, .npy or .npz file, or a built-in name: yeast, fashion-mnist,
            digits, synthetic (see docs/datasets.md for options).

            Example:
              mtif data describe yeast
            """,
        valueOptions: ["data-dir"],
        flagOptions: [],
        run: { arguments in
            guard arguments.positional.count == 1 else {
                throw UsageError("data describe expects one dataset, found \(arguments.positional.count) arguments.")
            }
            throw UsageError("Dataset loading is not available yet.")
        })
}
