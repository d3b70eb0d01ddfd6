import Foundation
import Shared

/// The finished retrainings of `mtif evaluate`, one JSON file each in
/// `RUN/evaluation/retrainings/`, so that an evaluation that is killed or fails resumes where it
/// stopped and a later evaluation reuses every retraining it shares with an earlier one.
///
/// A file is named by the SHA-256 of the context and the request, and holds both beside the
/// measurement; it is used only when both match. The context is everything a retraining's
/// result depends on besides the request: the dataset and model fingerprints (the run's) and
/// the trainer's method and stopping rule. Files are written atomically (rename), so a killed
/// process leaves complete files and at most a stray `.partial` one.
struct RetrainingJournal {
    /// What a retraining depends on besides its request.
    struct Context: Codable, Equatable {
        var datasetFingerprint: String
        var modelFingerprint: String
        var method: TrainingMethod
        var convergence: ConvergenceCriterion
        /// L-BFGS memory; nil for Newton.
        var memory: Int?
    }

    private struct Entry: Codable {
        var format = "mtif-retraining"
        var version = 1
        var context: Context
        var request: RetrainingRequest
        var measured: MeasuredRetraining
    }

    let directory: URL
    let context: Context
    private let logger = Logger(label: "mtif")

    /// - Parameters:
    ///   - directory: `RUN/evaluation/retrainings`; created on the first `record`.
    init(directory: URL, context: Context) {
        self.directory = directory
        self.context = context
    }

    /// The context of retraining `objective`'s model with `trainer`.
    static func context(
        trainer: MultitaskTrainer, objective: MultitaskObjective, datasetFingerprint: String, modelFingerprint: String
    ) -> Context {
        let method = trainer.method(for: objective.model)
        return Context(
            datasetFingerprint: datasetFingerprint, modelFingerprint: modelFingerprint, method: method,
            convergence: method == .newton ? trainer.newton.convergence : trainer.adamLBFGS.convergence,
            memory: method == .newton ? nil : trainer.adamLBFGS.memory)
    }

    /// The measurement of `request` if an earlier evaluation recorded it in this context.
    ///
    /// A file that does not decode or records something else under the same name (which only
    /// a hand edit could cause) is ignored with a warning, and the request retrained.
    func finished(_ request: RetrainingRequest) throws -> MeasuredRetraining? {
        let url = try file(for: request)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let entry = try? ReportFiles.decodeJSON(Entry.self, path: url.path), entry.context == context,
            entry.request == request
        else {
            logger.warning("retraining journal entry ignored: it does not match its name", ["path": url.path])
            return nil
        }
        return entry.measured
    }

    /// Stores one measurement, atomically.
    ///
    /// - Throws: `RunStoreError` when the directory or the file cannot be written.
    func record(_ request: RetrainingRequest, _ measured: MeasuredRetraining) throws {
        try RunFiles.createDirectory(directory)
        try RunFiles.writeJSON(Entry(context: context, request: request, measured: measured), to: file(for: request))
    }

    /// `<sha256 of context and request>.json`.
    private func file(for request: RetrainingRequest) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash = SHA256()
        hash.update(try encoder.encode(context))
        hash.update(try encoder.encode(request))
        return directory.appendingPathComponent(hash.finalize().hexadecimal + ".json")
    }
}
