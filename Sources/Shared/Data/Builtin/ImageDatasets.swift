/// Options of the built-in `fashion-mnist` dataset.
public struct FashionMNISTOptions: Sendable, Equatable {
    public var design: ClassTaskDesign
    /// Examples per task drawn from the training files (pairs), or inputs in all (other
    /// designs); nil for all of them.
    public var examplesPerTask: Int?
    /// The same limit for the official test files, which form the test split.
    public var testExamplesPerTask: Int?

    public init(design: ClassTaskDesign = .standardPairs, examplesPerTask: Int? = nil, testExamplesPerTask: Int? = nil)
    {
        self.design = design
        self.examplesPerTask = examplesPerTask
        self.testExamplesPerTask = testExamplesPerTask
    }
}

/// The built-in image datasets: scikit-learn's 8×8 digits and Fashion-MNIST's 28×28 images.
enum ImageDatasets {
    static let fashionClassNames = [
        "tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot",
    ]
    static let fashionDirectories = ["fashion-mnist", "/usr/share/datasets/fashion-mnist"]

    /// The digits pool from `digits/digits.csv.gz`: 1797 rows of 64 pixel intensities (0–16)
    /// and a label column, no header.
    ///
    /// - Throws: `DataError.Code.fileNotFound` when the file is absent; `.shapeMismatch` when it
    ///   does not have 65 columns; `.labelOutOfRange` for a label outside 0–9; the CSV errors.
    static func digitsPool(design: ClassTaskDesign, dataDirectory: DataDirectory, seed: UInt64) throws -> ExamplePool {
        let path = try DataDirectory.requireFile([dataDirectory.file("digits/digits.csv.gz")], dataset: "digits")
        let table = try CSVReader.read(path: path, hasHeader: false)
        guard table.columnNames.count == 65 else {
            throw DataError(
                .shapeMismatch, path: path,
                "Expected 65 columns (64 pixels and the label), found \(table.columnNames.count). "
                    + "The file is not scikit-learn's digits.csv.gz; run scripts/fetch-data again.")
        }
        let labels = try table.numbers(inColumn: 64)
        if let bad = labels.firstIndex(where: { !(0...9).contains($0) || $0 != $0.rounded() }) {
            throw DataError(
                .labelOutOfRange, path: path, location: .field(line: table.lineNumbers[bad], column: "column65"),
                "Expected a digit label from 0 to 9, found \(labels[bad]).")
        }
        let pixels = try table.numberMatrix(columns: Array(0..<64))
        var splitter = SeededSplitter(seed: seed ^ subsampleSeedMask)
        return ClassTasks.makePool(
            labels: labels.map { Int($0) }, design: design, classNames: (0...9).map(String.init), limit: nil,
            splitter: &splitter, featureRows: { pixels.rows(at: $0) },
            base: ("digits", path, pixelNames(side: 8), "labels"))
    }

    /// The Fashion-MNIST pools: training files for train and validation, test files for test.
    ///
    /// - Throws: `DataError.Code.fileNotFound` when a file is absent; the IDX and gzip errors;
    ///   `.shapeMismatch` when images are not 28×28 or counts of images and labels differ;
    ///   `.labelOutOfRange` for a label outside 0–9.
    static func fashionPools(
        _ options: FashionMNISTOptions, dataDirectory: DataDirectory, seed: UInt64
    ) throws
        -> (pool: ExamplePool, test: ExamplePool)
    {
        var splitter = SeededSplitter(seed: seed ^ subsampleSeedMask)
        let pools = try [("train", options.examplesPerTask), ("t10k", options.testExamplesPerTask)].map {
            prefix, limit in
            let (images, labels, path) = try readFashionFiles(prefix: prefix, dataDirectory: dataDirectory)
            return ClassTasks.makePool(
                labels: labels, design: options.design, classNames: fashionClassNames, limit: limit,
                splitter: &splitter, featureRows: { scaledPixels(images, items: $0) },
                base: ("fashion-mnist", path, pixelNames(side: 28), "labels"))
        }
        return (pools[0], pools[1])
    }

    /// Seeds subsampling apart from the split, which uses the plain seed.
    static let subsampleSeedMask: UInt64 = 0x5A3B_1E5E_ED00_0001

    /// Reads and cross-checks one images file and its labels file.
    private static func readFashionFiles(
        prefix: String, dataDirectory: DataDirectory
    ) throws
        -> (IDXArray, [Int], String)
    {
        let candidates = { (file: String) in
            [dataDirectory.file("fashion-mnist/\(file)"), "\(fashionDirectories[1])/\(file)"]
        }
        let imagePath = try DataDirectory.requireFile(
            candidates("\(prefix)-images-idx3-ubyte.gz"), dataset: "fashion-mnist")
        let labelPath = try DataDirectory.requireFile(
            candidates("\(prefix)-labels-idx1-ubyte.gz"), dataset: "fashion-mnist")
        let images = try IDXReader.read(path: imagePath, dimensionCount: 3)
        let labels = try IDXReader.read(path: labelPath, dimensionCount: 1)
        guard images.dimensions.dropFirst().elementsEqual([28, 28]), labels.itemCount == images.itemCount else {
            throw DataError(
                .shapeMismatch, path: imagePath,
                "Expected 28×28 images, one per label in \(labelPath) (\(labels.itemCount)), found dimensions "
                    + "\(images.dimensions). Reinstall the dataset-fashion-mnist package.")
        }
        if let bad = labels.elements.firstIndex(where: { $0 > 9 }) {
            throw DataError(
                .labelOutOfRange, path: labelPath, location: .arrayElement("labels", index: bad),
                "Expected a class from 0 to 9, found \(labels.elements[bad]).")
        }
        return (images, labels.elements.map { Int($0) }, imagePath)
    }

    /// The pixels of the chosen images scaled from 0–255 to [0, 1], one row per image.
    ///
    /// - Complexity: O(items × pixels), reading the bytes in place.
    static func scaledPixels(_ images: IDXArray, items: [Int]) -> Matrix {
        let size = images.itemSize
        let elements = images.elements.withUnsafeBufferPointer { bytes in
            [Double](unsafeUninitializedCapacity: items.count * size) { buffer, initialized in
                for (row, item) in items.enumerated() {
                    for pixel in 0..<size { buffer[row * size + pixel] = Double(bytes[item * size + pixel]) / 255 }
                }
                initialized = items.count * size
            }
        }
        return Matrix(rows: items.count, columns: size, elements: elements)
    }

    /// Names `pixel_r_c` for a `side × side` image, row by row.
    static func pixelNames(side: Int) -> [String] {
        (0..<side).flatMap { row in (0..<side).map { "pixel_\(row)_\($0)" } }
    }
}
