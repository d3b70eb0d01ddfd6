import Foundation
import Testing

@testable import Shared

/// Checkpoints written to temporary files for the checkpoint tests, and ways to damage them.
enum CheckpointFixtures {
    /// A checkpoint of `modelCase` at a random point, with a dataset and training record.
    static func checkpoint(_ modelCase: ModelCase, seed: UInt64 = 11) throws -> (Checkpoint, MultitaskObjective) {
        let objective = try modelCase.makeObjective(seed: seed)
        let w = ModelFixtures.randomPoint(count: objective.parameterCount, seed: seed + 100)
        let report = TrainingReport(
            method: .adamThenLBFGS, iterations: 17, finalLoss: 0.1 + 0.2, gradientNorm: 3.0e-11,
            initialGradientNorm: 1.0 / 3.0, converged: true)
        let record = TrainingRecord(
            report: report, initializationSeed: 7, warmStart: nil,
            settings: TrainerSettings(trainer: MultitaskTrainer(), model: objective.model))
        let checkpoint = try Checkpoint(
            objective: objective, parameters: w, datasetDescription: "fixture --seed \(seed)", training: record,
            createdBy: "mtif tests")
        return (checkpoint, objective)
    }

    /// Writes `checkpoint` to a fresh temporary `.json` path and returns the path.
    static func written(_ checkpoint: Checkpoint) throws -> String {
        let path = FixtureFiles.temporaryPath(".json")
        try checkpoint.write(to: path)
        return path
    }

    /// Removes a checkpoint's JSON and archive.
    static func remove(_ jsonPath: String) {
        FixtureFiles.remove(jsonPath)
        FixtureFiles.remove(Checkpoint.parametersPath(forJSON: jsonPath))
    }

    /// The bytes of the file at `path`.
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Rewrites the JSON at `path` after `change` edits its top-level object.
    static func editJSON(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    /// Replaces the JSON at `path` with `text`.
    static func replaceJSON(_ path: String, with text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Rewrites the archive beside `jsonPath` after `change` edits it, and drops the recorded
    /// SHA-256 so that the edit itself is what the reader meets.
    static func editArchive(_ jsonPath: String, _ change: (inout NPZArchive) -> Void) throws {
        let npzPath = Checkpoint.parametersPath(forJSON: jsonPath)
        var archive = try NPZArchive.read(path: npzPath)
        change(&archive)
        try archive.write(to: npzPath)
        try editJSON(jsonPath) { $0["parametersSHA256"] = nil }
    }

    /// The `CheckpointError` that `body` throws; records an issue and returns nil when it throws
    /// nothing or something else.
    static func checkpointError(
        _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    )
        -> CheckpointError?
    {
        do {
            try body()
            Issue.record("Expected a CheckpointError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as CheckpointError {
            return error
        } catch {
            Issue.record("Expected a CheckpointError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// A copy of `dataset` with one task renamed.
    static func renaming(_ dataset: MultitaskDataset, task: Int, to name: String) -> MultitaskDataset {
        var copy = dataset
        copy.tasks[task].name = name
        return copy
    }
}
