/// A dataset mtif knows by name; its files live in the data directory (see `DataDirectory`).
///
/// | name | source | tasks |
/// | --- | --- | --- |
/// | `yeast` | river 0.26.1's yeast.csv.gz | 14 binary, shared inputs (103 features, 2417 genes) |
/// | `digits` | scikit-learn's digits.csv.gz | 5 digit pairs (disjoint), or one-vs-rest, or 10-class |
/// | `fashion-mnist` | Debian's dataset-fashion-mnist | 5 class pairs (disjoint), or one-vs-rest, or 10-class |
/// | `synthetic` | generated | K related linear tasks; see `SyntheticGenerator` |
///
/// datasets/README.md records origins, licences and checksums.
public enum BuiltinDataset: Sendable, Equatable {
    case yeast
    case digits(ClassTaskDesign)
    case fashionMNIST(FashionMNISTOptions)
    case synthetic(SyntheticSpecification)

    /// The names `init(specification:)` accepts.
    public static let names = ["yeast", "digits", "fashion-mnist", "synthetic"]

    /// Parses a name with options, such as `fashion-mnist:tasks=one-vs-rest,n=2000`.
    ///
    /// Options: `digits` takes `tasks` and `pairs`; `fashion-mnist` takes `tasks`, `pairs`, `n`
    /// (examples per task, or inputs for the shared designs, from the training files) and
    /// `test-n` (the same for the test files); `synthetic` takes the keys of
    /// `SyntheticSpecification`; `yeast` takes none.
    ///
    /// - Throws: `UsageError` for an unknown name, unknown option or bad value.
    public init(specification text: String) throws(UsageError) {
        let specification = try DatasetSpecification(parsing: text)
        switch specification.name {
        case "yeast":
            try specification.requireOnly([])
            self = .yeast
        case "digits":
            try specification.requireOnly(["tasks", "pairs"])
            self = .digits(try ClassTaskDesign.parse(specification, classCount: 10))
        case "fashion-mnist":
            try specification.requireOnly(["tasks", "pairs", "n", "test-n"])
            let design = try ClassTaskDesign.parse(specification, classCount: 10)
            self = .fashionMNIST(
                FashionMNISTOptions(
                    design: design, examplesPerTask: try specification.integer("n", in: 1...60_000),
                    testExamplesPerTask: try specification.integer("test-n", in: 1...10_000)))
        case "synthetic":
            self = .synthetic(try SyntheticSpecification(specification))
        default:
            throw UsageError(
                "Unknown dataset '\(specification.name)'. Give a .csv, .csv.gz or .npz file, or one of the built-in "
                    + "datasets: \(Self.names.joined(separator: ", ")).")
        }
    }

    /// The examples of the dataset, and its fixed test examples when it has official ones.
    ///
    /// - Parameters:
    ///   - dataDirectory: where the files are.
    ///   - seed: seeds any subsampling (apart from the split, which also uses it).
    /// - Throws: `DataError.Code.fileNotFound` naming the missing file and saying to run
    ///   `scripts/fetch-data`; any reader error for a damaged file.
    public func makePools(dataDirectory: DataDirectory, seed: UInt64) throws -> (pool: ExamplePool, test: ExamplePool?)
    {
        switch self {
        case .yeast:
            return (try Self.yeastPool(dataDirectory: dataDirectory), nil)
        case .digits(let design):
            return (try ImageDatasets.digitsPool(design: design, dataDirectory: dataDirectory, seed: seed), nil)
        case .fashionMNIST(let options):
            let pools = try ImageDatasets.fashionPools(options, dataDirectory: dataDirectory, seed: seed)
            return (pools.pool, pools.test)
        case .synthetic(let specification):
            return (SyntheticGenerator.generate(specification).pool, nil)
        }
    }

    /// The yeast pool: features Att1–Att103, binary tasks Class1–Class14, shared inputs.
    ///
    /// - Throws: `DataError.Code.fileNotFound`; `.shapeMismatch` when the file does not have
    ///   103 features and 14 label columns; the CSV errors; `.labelOutOfRange` (through
    ///   assembly) for a label other than 0 or 1.
    static func yeastPool(dataDirectory: DataDirectory) throws -> ExamplePool {
        let path = try DataDirectory.requireFile([dataDirectory.file("yeast/yeast.csv.gz")], dataset: "yeast")
        let table = try CSVReader.read(path: path)
        var pool = try CSVPoolBuilder.makePool(table, layout: CSVLayout(tasks: .targetPrefix("Class")), name: "yeast")
        guard pool.featureNames.count == 103, pool.tasks.count == 14 else {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected 103 feature columns and 14 Class columns, found \(pool.featureNames.count) and "
                    + "\(pool.tasks.count). The file is not river's yeast.csv.gz; run scripts/fetch-data again.")
        }
        pool.declaredKinds = Array(repeating: .binary, count: pool.tasks.count)
        return pool
    }
}
