import Foundation

/// Reading and writing whole files as bytes, with errors that name the file.
public enum DataFile {
    /// The contents of `path`.
    ///
    /// - Throws: `DataError.Code.fileNotFound` when nothing is at `path`; `.unreadableFile` for a
    ///   directory or an I/O failure.
    public static func readBytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(.fileNotFound, path: path, "No such file. Check the path or the --data-dir option.")
        }
        guard !isDirectory.boolValue else {
            throw DataError(.unreadableFile, path: path, "Expected a file, found a directory.")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DataError(.unreadableFile, path: path, "The file could not be read: \(error.localizedDescription)")
        }
    }

    /// The contents of `path`, decompressed first when its name ends in `.gz`.
    ///
    /// - Throws: the errors of `readBytes(_:)` and of `DeflateCodec.gunzip(_:path:)`.
    public static func readBytesDecompressing(_ path: String) throws -> [UInt8] {
        let bytes = try readBytes(path)
        return path.hasSuffix(".gz") ? try DeflateCodec.gunzip(bytes, path: path) : bytes
    }

    /// Writes `bytes` to `path` atomically, replacing any file there.
    ///
    /// - Throws: `DataError.Code.unwritableFile` naming the file and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError(
                .unwritableFile, path: path, "The file could not be written: \(error.localizedDescription)")
        }
    }

    /// The last component of `path` without the given extensions, such as "features" for
    /// "/tmp/features.npy".
    static func stem(of path: String, removing extensions: [String]) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        for suffix in extensions where name.hasSuffix(suffix) && name.count > suffix.count {
            name.removeLast(suffix.count)
        }
        return name
    }
}
