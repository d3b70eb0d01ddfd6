import Foundation
import Shared

/// File-system steps of the run store: directories, atomic writes, JSON.
enum RunFiles {
    /// Creates `directory` and its parents.
    ///
    /// - Throws: `RunStoreError` naming the directory and the system's reason.
    static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunStoreError("Cannot create the run directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Writes through `body` to a temporary file beside `url`, then renames it into place.
    ///
    /// rename(2) replaces an existing file atomically: a reader sees the old file or the new
    /// one, never a mixture, and a crash leaves at most a stray `.partial` file.
    static func writeAtomically(_ url: URL, _ body: (String) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try body(temporary.path)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw RunStoreError("Cannot move \(temporary.path) into place as \(url.path): \(reason).")
        }
    }

    /// Writes `value` as pretty-printed JSON with sorted keys.
    static func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(value)
        try writeAtomically(url) { try data.write(to: URL(fileURLWithPath: $0)) }
    }
}

/// A run directory that cannot be written or read back.
struct RunStoreError: ReportableError {
    let message: String
    let site: ThrowSite
    var category: FailureCategory { .failure }

    init(_ message: String, site: ThrowSite = ThrowSite()) {
        self.message = message
        self.site = site
    }
}
