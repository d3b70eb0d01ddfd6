import Foundation

/// The directory holding built-in datasets' files (`yeast/yeast.csv.gz`, `digits/digits.csv.gz`,
/// optionally `fashion-mnist/`).
///
/// Resolved in this order: the `--data-dir` option; the `MTIF_DATA_DIR` environment variable;
/// `./data` when it exists; the `data` directory of the package the executable was built in
/// (found by walking up from the executable to a directory with `Package.swift`) when it
/// exists; otherwise `./data`, so that error messages name the usual place.
public struct DataDirectory: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The environment variable that names the data directory.
    public static let environmentVariable = "MTIF_DATA_DIR"

    /// Resolves the directory from the option, the environment and the file system.
    ///
    /// - Parameters:
    ///   - explicit: the `--data-dir` value, if given.
    ///   - environment: the process environment.
    ///   - currentDirectory: the working directory.
    ///   - executablePath: the running executable, for finding its package.
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = Bundle.main.executablePath
    ) -> DataDirectory {
        if let explicit, !explicit.isEmpty { return DataDirectory(path: explicit) }
        if let variable = environment[environmentVariable], !variable.isEmpty { return DataDirectory(path: variable) }
        let local = URL(fileURLWithPath: currentDirectory).appendingPathComponent("data").path
        if isDirectory(local) { return DataDirectory(path: local) }
        if let root = executablePath.flatMap(packageRoot(containing:)) {
            let packaged = URL(fileURLWithPath: root).appendingPathComponent("data").path
            if isDirectory(packaged) { return DataDirectory(path: packaged) }
        }
        return DataDirectory(path: local)
    }

    /// The path of `relative` inside the directory.
    public func file(_ relative: String) -> String {
        URL(fileURLWithPath: path).appendingPathComponent(relative).path
    }

    /// The nearest ancestor of `path` that holds a `Package.swift`.
    static func packageRoot(containing path: String) -> String? {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.path
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    /// The first of `candidates` that exists.
    ///
    /// - Parameter dataset: the built-in's name, for the message.
    /// - Throws: `DataError.Code.fileNotFound` naming the file (and the other places tried) and
    ///   saying to run `scripts/fetch-data`.
    static func requireFile(_ candidates: [String], dataset: String) throws -> String {
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        let others =
            candidates.dropFirst().isEmpty ? "" : " (also looked for \(candidates.dropFirst().joined(separator: ", ")))"
        throw DataError(
            .fileNotFound, path: candidates[0],
            "The built-in dataset '\(dataset)' needs this file\(others). Run scripts/fetch-data from the "
                + "repository to download it, or point --data-dir (or \(environmentVariable)) at a directory holding it."
        )
    }
}
