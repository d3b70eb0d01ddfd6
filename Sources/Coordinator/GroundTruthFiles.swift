import Foundation
import Shared

/// `RUN/evaluation/ground-truth/`: the retraining ground truth as NumPy arrays that tools outside
/// mtif read directly (dattri's `lds` and `loo_corr` among them; docs/file-formats.md).
///
/// Training examples are **global rows**: row r of `scores.npy` (train task by train task, each
/// in order of position, as `train-examples.csv` lists them), N in all. Loss columns are the
/// run's tasks in order, which are also the first K columns of `scores.npy`. For each kind, in
/// its own folder, with R retrainings:
///
/// | file | dtype, shape | contents |
/// | --- | --- | --- |
/// | `losses-before.npy` | float64 (K) | V_k(ŵ) |
/// | `losses-after.npy` | float64 (R × K) | V_k after retraining r |
/// | `removed-mask.npy` | bool (R × N) | true where retraining r removed the row |
/// | `removed.npy` | int64 (R) for loo, (M × (N − S)) for lds | the removed rows |
/// | `kept.npy` | int64 (M × S), lds only | the rows each subset keeps, ascending |
/// | `removed-tasks.npy` | int64 (K), loto only | the task retraining r removed |
struct GroundTruthFiles {
    /// One kind of ground truth with its measurements, aligned with its removals.
    enum Kind {
        case leaveOneOut([MeasuredRetraining])
        case leaveOneTaskOut([MeasuredRetraining])
        case linearDatamodeling(DatamodelSubsets, [MeasuredRetraining])

        var name: String {
            switch self {
            case .leaveOneOut: "loo"
            case .leaveOneTaskOut: "loto"
            case .linearDatamodeling: "lds"
            }
        }
    }

    let directory: URL
    let files: EvaluationFiles

    private var plan: EvaluationPlan { files.plan }
    private var rowCount: Int { files.scores.values.rows }

    /// Writes the arrays of `kinds` and updates `manifest.json`, keeping the entries of kinds
    /// written earlier for the same run.
    ///
    /// - Throws: `RunStoreError`, `DataError.Code.unwritableFile`.
    func write(_ kinds: [Kind], before: [Double]) throws {
        var manifest = existingManifest() ?? GroundTruthManifest(files: files)
        manifest.refresh(files: files)
        for kind in kinds {
            let folder = directory.appendingPathComponent(kind.name)
            try RunFiles.createDirectory(folder)
            let (rows, measured) = removedRows(kind)
            try write(NDArray(shape: [before.count], elements: before), "losses-before.npy", in: folder)
            try write(
                NDArray(shape: [measured.count, before.count], elements: measured.flatMap(\.validationLosses)),
                "losses-after.npy", in: folder)
            try write(mask(rows), "removed-mask.npy", in: folder)
            try writeIndices(kind, rows: rows, in: folder)
            manifest.kinds[kind.name] = entry(kind, count: measured.count)
        }
        try RunFiles.writeJSON(manifest, to: directory.appendingPathComponent("manifest.json"))
    }

    // MARK: - Arrays

    /// The global rows each retraining of `kind` removed, ascending, with its measurements.
    private func removedRows(_ kind: Kind) -> ([[Int]], [MeasuredRetraining]) {
        let scores = files.scores
        switch kind {
        case .leaveOneOut(let measured):
            return (plan.leaveOneOut.map { [scores.row(of: $0.example)] }, measured)
        case .leaveOneTaskOut(let measured):
            return (plan.leftOutTasks.map { Array(scores.rows(ofTask: $0)) }, measured)
        case .linearDatamodeling(let subsets, let measured):
            return (subsets.removed.map { $0.map(scores.row(of:)) }, measured)
        }
    }

    private func mask(_ rows: [[Int]]) -> NDArray {
        var elements = [Double](repeating: 0, count: rows.count * rowCount)
        for (index, removed) in rows.enumerated() {
            for row in removed { elements[index * rowCount + row] = 1 }
        }
        return NDArray(shape: [rows.count, rowCount], elements: elements, dataType: .bool)
    }

    private func writeIndices(_ kind: Kind, rows: [[Int]], in folder: URL) throws {
        switch kind {
        case .leaveOneOut:
            try write(integers(rows.map { $0[0] }, shape: [rows.count]), "removed.npy", in: folder)
        case .leaveOneTaskOut:
            try write(integers(plan.leftOutTasks, shape: [rows.count]), "removed-tasks.npy", in: folder)
        case .linearDatamodeling:
            let removedWidth = rows.first?.count ?? 0
            try write(integers(rows.flatMap { $0 }, shape: [rows.count, removedWidth]), "removed.npy", in: folder)
            let kept = rows.map { removed in
                let dropped = Set(removed)
                return (0..<rowCount).filter { !dropped.contains($0) }
            }
            try write(
                integers(kept.flatMap { $0 }, shape: [rows.count, rowCount - removedWidth]), "kept.npy", in: folder)
        }
    }

    private func integers(_ values: [Int], shape: [Int]) -> NDArray {
        NDArray(shape: shape, elements: values.map(Double.init), dataType: .int64)
    }

    private func write(_ array: NDArray, _ name: String, in folder: URL) throws {
        try RunFiles.writeAtomically(folder.appendingPathComponent(name)) { try NPYFormat.write(array, to: $0) }
    }

    // MARK: - Manifest

    private func existingManifest() -> GroundTruthManifest? {
        let path = directory.appendingPathComponent("manifest.json").path
        guard FileManager.default.fileExists(atPath: path),
            let manifest = try? ReportFiles.decodeJSON(GroundTruthManifest.self, path: path),
            manifest.dataset.fingerprint == files.inputs.dataset.fingerprint(),
            manifest.model.fingerprint == files.inputs.run.manifest.model.fingerprint
        else { return nil }
        return manifest
    }

    private func entry(_ kind: Kind, count: Int) -> GroundTruthManifest.KindEntry {
        var entry = GroundTruthManifest.KindEntry(
            retrainings: count, removal: plan.convention.rawValue,
            retraining: .init(files.trainer, model: files.inputs.objective.model),
            createdAt: Date().formatted(.iso8601))
        switch kind {
        case .leaveOneOut:
            entry.files = ["removed.npy": "int64 (R): the global row each retraining removed"]
            entry.seed = plan.seed
            entry.selection =
                "the ⌈N/2⌉ rows with the largest max |score| over the task queries, then ⌊N/2⌋ drawn uniformly "
                + "from the others (SeededGenerator(seed)), with any --loo-examples; ascending rows"
            entry.chosenBy = plan.leaveOneOut.map(\.choice.rawValue)
        case .leaveOneTaskOut:
            entry.files = ["removed-tasks.npy": "int64 (K): the train task each retraining removed"]
            entry.removal = RemovalConvention.weightZero.rawValue
        case .linearDatamodeling(let subsets, _):
            entry.files = [
                "removed.npy": "int64 (M × (N − S)): the rows each subset leaves out, ascending",
                "kept.npy": "int64 (M × S): the rows each subset keeps, ascending",
            ]
            entry.seed = subsets.firstSeed
            entry.fraction = subsets.fraction
            entry.keptPerTask = subsets.trainCounts.map {
                DatamodelSubsets.keptCount(trainCount: $0, fraction: subsets.fraction)
            }
            entry.selection =
                "subset m keeps ⌊α·n_l + ½⌋ examples of every task l, drawn uniformly with SeededGenerator(seed + m)"
        }
        entry.files["losses-before.npy"] = "float64 (K): V_k(ŵ), the validation loss of every task"
        entry.files["losses-after.npy"] = "float64 (R × K): V_k after each retraining"
        entry.files["removed-mask.npy"] = "bool (R × N): true where the retraining removed the global row"
        return entry
    }
}

/// `ground-truth/manifest.json`: what the arrays are, and how they were made.
struct GroundTruthManifest: Codable {
    struct DatasetEntry: Codable {
        var description: String
        var fingerprint: String
        var tasks: [String]
        var trainCounts: [Int]
    }

    struct ModelEntry: Codable {
        var checkpoint: String
        var fingerprint: String
    }

    struct Retraining: Codable {
        var method: String
        var warmStart = "ŵ, the scored checkpoint's parameters"
        var relativeGradientTolerance: Double
        var absoluteGradientTolerance: Double
        var maximumIterations: Int
        var memory: Int?

        init(_ trainer: MultitaskTrainer, model: MultitaskModel) {
            let isNewton = trainer.method(for: model) == .newton
            let convergence = isNewton ? trainer.newton.convergence : trainer.adamLBFGS.convergence
            method = isNewton ? "Newton, warm start" : "L-BFGS from a warm start, no Adam"
            relativeGradientTolerance = convergence.relativeGradientTolerance
            absoluteGradientTolerance = convergence.absoluteGradientTolerance
            maximumIterations = convergence.maximumIterations
            memory = isNewton ? nil : trainer.adamLBFGS.memory
        }
    }

    struct KindEntry: Codable {
        var retrainings: Int
        var removal: String
        var retraining: Retraining
        var files: [String: String] = [:]
        var seed: UInt64?
        var selection: String?
        var fraction: Double?
        var keptPerTask: [Int]?
        /// Leave-one-out: why each row was chosen (`largest-score`, `random`, `listed`).
        var chosenBy: [String]?
        var createdAt: String
    }

    var format = "mtif-ground-truth"
    var version = 1
    var run: String
    var dataset: DatasetEntry
    var model: ModelEntry
    var rows =
        "global rows: row r of scores.npy (train task by train task, each in order of position; train-examples.csv)"
    var columns: [String]
    var sign = "an effect is losses-before − losses-after: > 0 means the removed data harmed the task"
    var kinds: [String: KindEntry] = [:]
    var createdBy = "mtif \(CommandLineInterface.version)"

    init(files: EvaluationFiles) {
        let inputs = files.inputs
        run = inputs.run.directory
        dataset = DatasetEntry(
            description: inputs.datasetDescription, fingerprint: inputs.dataset.fingerprint(),
            tasks: inputs.taskNames, trainCounts: inputs.scores.trainCounts)
        model = ModelEntry(checkpoint: inputs.checkpointPath, fingerprint: inputs.run.manifest.model.fingerprint)
        columns = inputs.taskNames.map { "val:\($0)" }
    }

    /// Takes the run's current description (a path given differently this time).
    mutating func refresh(files: EvaluationFiles) {
        let fresh = GroundTruthManifest(files: files)
        (run, dataset, model, columns) = (fresh.run, fresh.dataset, fresh.model, fresh.columns)
    }
}
