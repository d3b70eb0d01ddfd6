import Foundation

/// Where a dataset comes from: a CSV file with a column layout, an `.npz` archive, or a
/// built-in dataset.
public enum DatasetSource: Sendable, Equatable {
    case csv(path: String, layout: CSVLayout)
    case npz(path: String)
    case builtin(BuiltinDataset)

    /// Interprets a command-line dataset argument: a path ending in `.csv`, `.csv.gz` or `.npz`
    /// is a file; anything else is a built-in specification such as `yeast` or
    /// `synthetic:K=4,n=50`.
    ///
    /// - Parameters:
    ///   - argument: the path or specification.
    ///   - csvLayout: the column layout, required for CSV files.
    /// - Throws: `UsageError` for a CSV without a layout, a `.npy` file (one array cannot hold
    ///   both features and targets), an existing file of another type, or a bad specification.
    public static func resolve(_ argument: String, csvLayout: CSVLayout?) throws(UsageError) -> DatasetSource {
        let lowercased = argument.lowercased()
        if lowercased.hasSuffix(".csv") || lowercased.hasSuffix(".csv.gz") {
            guard let csvLayout else {
                throw UsageError(
                    "A CSV dataset needs its layout: --task-column NAME with --target-column NAME (one task per row), "
                        + "or --target-columns A,B,… or --target-prefix P (one target column per task).")
            }
            return .csv(path: argument, layout: csvLayout)
        }
        if lowercased.hasSuffix(".npz") { return .npz(path: argument) }
        if lowercased.hasSuffix(".npy") {
            throw UsageError(
                "A .npy file holds one array; save features and targets together with "
                    + "numpy.savez(path, X=features, Y=targets) or numpy.savez(path, X=..., y=..., task=...).")
        }
        if FileManager.default.fileExists(atPath: argument) {
            throw UsageError("'\(argument)' is not a .csv, .csv.gz or .npz file.")
        }
        return .builtin(try BuiltinDataset(specification: argument))
    }

    /// Reads (or generates) the examples and assembles the dataset.
    ///
    /// - Parameters:
    ///   - configuration: split fractions, seed, standardisation and target kinds.
    ///   - dataDirectory: where built-in datasets' files are.
    /// - Throws: `DataError` for missing or malformed data (see the readers and
    ///   `DatasetAssembler`); `UsageError` for contradictory column options.
    public func load(configuration: DatasetConfiguration, dataDirectory: DataDirectory) throws -> MultitaskDataset {
        switch self {
        case .csv(let path, let layout):
            let table = try CSVReader.read(path: path, hasHeader: layout.hasHeader)
            let name = DataFile.stem(of: path, removing: [".gz", ".csv"])
            let pool = try CSVPoolBuilder.makePool(table, layout: layout, name: name)
            return try DatasetAssembler.assemble(pool, configuration: configuration)
        case .npz(let path):
            let name = DataFile.stem(of: path, removing: [".npz"])
            let pool = try NPZPoolBuilder.makePool(NPZArchive.read(path: path), path: path, name: name)
            return try DatasetAssembler.assemble(pool, configuration: configuration)
        case .builtin(let dataset):
            let pools = try dataset.makePools(dataDirectory: dataDirectory, seed: configuration.seed)
            return try DatasetAssembler.assemble(pools.pool, fixedTest: pools.test, configuration: configuration)
        }
    }
}
