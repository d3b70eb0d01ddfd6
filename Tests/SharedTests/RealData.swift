import Foundation

@testable import Shared

/// The repository's data directory (filled by scripts/fetch-data), found from this file's path,
/// for tests on the real datasets; they are skipped when the files are absent.
enum RealData {
    static let directory = DataDirectory(
        path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data").path)

    /// Whether a file below the data directory exists, e.g. "digits/digits.csv.gz".
    static func isAvailable(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.file(relativePath))
    }

    static let hasYeast = isAvailable("yeast/yeast.csv.gz")
    static let hasDigits = isAvailable("digits/digits.csv.gz")
    static let hasFashionMNIST = FileManager.default.fileExists(
        atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
}
