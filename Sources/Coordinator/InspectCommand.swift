import Foundation
import Shared

/// `mtif inspect`: summarise a file or directory that mtif wrote or reads.
///
/// Each kind of thing is an `Inspector` that recognises its paths; the first that does prints the
/// summary. New kinds (run directories, score files) are added to `inspectors`.
enum InspectCommand {
    /// One kind of thing `mtif inspect` can summarise.
    struct Inspector: Sendable {
        /// What it summarises, for the help text and for the error when nothing recognises a path.
        let kind: String
        /// Whether `path` looks like this kind (by name or a cheap look inside).
        let recognises: @Sendable (String) -> Bool
        /// The summary text.
        let summarise: @Sendable (String) throws -> String
    }

    /// Checkpoints: a `.json` file, read and verified in full (format, fields, arrays, SHA-256).
    static let checkpoint = Inspector(
        kind: "checkpoint (NAME.json with its NAME.npz)",
        recognises: { $0.lowercased().hasSuffix(".json") },
        summarise: { try Checkpoint.read(from: $0).summary(path: $0) })

    /// Score run directories: the directory `mtif score --out DIR` wrote.
    static let scoreRun = Inspector(
        kind: "score run directory (DIR with manifest.json, from mtif score --out DIR)",
        recognises: RunSummary.recognises,
        summarise: { try RunSummary.text(directory: $0) })

    /// The inspectors in the order they are tried.
    static let inspectors: [Inspector] = [scoreRun, checkpoint]

    static let inspect = Subcommand(
        name: "inspect",
        summary: "Summarise a checkpoint or a score run directory",
        help: """
            Usage: mtif inspect <path>

            Reads <path> completely, checks it and prints a summary. Understood paths:
            \(inspectors.map { "  \($0.kind)" }.joined(separator: "\n"))

            For a checkpoint: the model string and its shape, the parameter count P and how it
            splits into task blocks and the shared block, ‖w‖ and max |w|, the penalties, the
            dataset description and fingerprint it was trained on, the training report (method,
            iterations, final loss, gradient norms, converged) and one line per task. Reading
            verifies the archive's SHA-256 and every array's shape, so a checkpoint that
            inspects cleanly also loads for scoring.

            For a score run directory: the dataset and model with their fingerprints, the scoring
            settings, the solve (method, curvature, damping, worst relative residual), timings
            per stage, which output files are present and how many shards are stored.

            Examples:
              mtif inspect runs/yeast-mlp/checkpoint.json
              mtif inspect runs/yeast-mlp/score
            """,
        valueOptions: [],
        flagOptions: [],
        run: { arguments in
            guard arguments.positional.count == 1 else {
                throw UsageError("inspect expects one path, found \(arguments.positional.count) arguments.")
            }
            let path = arguments.positional[0]
            guard let inspector = inspectors.first(where: { $0.recognises(path) }) else {
                throw UsageError(
                    "'\(path)' is not something mtif inspects. Expected one of: "
                        + inspectors.map(\.kind).joined(separator: "; ") + ".")
            }
            print(try inspector.summarise(path))
        })
}
