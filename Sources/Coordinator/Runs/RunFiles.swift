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
    static func writeAtomically(_ url: URL, _ body: (String) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try body(temporary.path)
        do {
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: url)
            }
        } catch {
            throw RunStoreError(
                "Cannot move \(temporary.path) into place as \(url.path): \(error.localizedDescription)")
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
