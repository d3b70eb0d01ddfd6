import Foundation
import Shared

/// The text `mtif inspect DIR` prints for a score run directory: what was scored, how, how well
/// the solve went, how long it took, and which files and stored shards are there.
enum RunSummary {
    /// Whether `path` is a directory holding a `manifest.json` (a run of `mtif score`).
    static func recognises(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("manifest.json"))
    }

    /// The summary of the run in `directory`.
    ///
    /// - Throws: `DataError` for a missing or malformed manifest (as `mtif report` does).
    static func text(directory: String) throws -> String {
        let manifest = try ScoreRun.readManifest(directory: directory)
        let solve = manifest.solve
        let configuration = manifest.configuration
        var lines = [
            "run          \(directory) (mtif score, \(manifest.createdBy), \(manifest.createdAt))",
            "dataset      \(manifest.dataset.description) — \(manifest.dataset.layout), fingerprint "
                + manifest.dataset.fingerprint,
            "tasks        \(manifest.dataset.tasks.count): "
                + zip(manifest.dataset.tasks, manifest.dataset.trainCounts).map { "\($0) (\($1))" }.joined(
                    separator: ", "),
            "model        \(manifest.model.checkpoint), P = \(manifest.model.parameterCount), fingerprint "
                + manifest.model.fingerprint,
            "scoring      \(configuration.queries.rawValue) queries, \(configuration.convention.rawValue) removal, "
                + "shards of \(configuration.shardSize)",
            String(
                format: "solve        %@, %@, damping %g, max relative residual %.2e, %.3f s", solve.method.rawValue,
                solve.curvature.rawValue, solve.damping, solve.maximumRelativeResidual, solve.seconds),
            "timings      "
                + manifest.timings.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f s", $0.key, $0.value) }
                .joined(separator: ", "),
        ]
        lines.append("files        " + files(in: directory, expected: manifest.outputs.keys.sorted()))
        lines.append("shards       \(storedShards(in: directory)) shards recorded in shards/done (used to resume)")
        return lines.joined(separator: "\n")
    }

    /// The expected outputs, each marked missing when it is not there.
    private static func files(in directory: String, expected: [String]) -> String {
        expected.map { name in
            FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(name))
                ? name : "\(name) (missing)"
        }.joined(separator: ", ")
    }

    /// Lines of `shards/done`, the journal of shards written into the scores file.
    private static func storedShards(in directory: String) -> Int {
        let journal = (directory as NSString).appendingPathComponent("shards/done")
        let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").count
    }
}
