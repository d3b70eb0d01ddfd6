import Foundation
import Shared

/// The options every command that reads a dataset accepts, and the loading they drive (see
/// `DatasetRequest`, which holds the parsing so that workers can load the same data).
enum DatasetOptions {
    static let valueOptions = DatasetRequest.valueOptions
    static let flagOptions = DatasetRequest.flagOptions

    /// The dataset argument with the options that shape its contents, such as `yeast --seed 0`.
    static func description(_ argument: String, _ arguments: CommandArguments) -> String {
        DatasetRequest(argument, arguments).description
    }

    /// Loads the dataset named on the command line with the shared dataset options.
    ///
    /// - Throws: `UsageError` for bad options; `DataError` for missing or malformed data.
    static func load(_ argument: String, _ arguments: CommandArguments) throws -> MultitaskDataset {
        if let seed = arguments.value("seed"), UInt64(seed) == nil {
            throw UsageError("Option --seed expects a non-negative integer, found '\(seed)'.")
        }
        return try DatasetRequest(argument, arguments).load(
            dataDirectory: DataDirectory.resolve(explicit: arguments.value("data-dir")))
    }
}
