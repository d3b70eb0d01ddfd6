import Foundation
import Testing

/// Access to the checked-in fixtures and to unique temporary files for tests.
enum FixtureFiles {
    /// The path of fixture `name` (with extension) under Tests/SharedTests/Fixtures.
    static func path(_ name: String) throws -> String {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
            "fixture \(name) is missing; run scripts/make-test-fixtures.py")
        return url.path
    }

    /// The bytes of fixture `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// A fresh path in the temporary directory, ending in `suffix`; nothing exists there yet.
    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtif-test-\(UUID().uuidString)\(suffix)").path
    }

    /// Writes `text` to a fresh temporary file and returns its path.
    static func temporaryFile(_ text: String, suffix: String = ".csv") throws -> String {
        let path = temporaryPath(suffix)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Removes a temporary file, ignoring its absence.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
