/// Which data a checkpoint was trained on: how the dataset was named on the command line and the
/// fingerprint of what that produced.
public struct DatasetRecord: Sendable, Hashable, Codable {
    /// The dataset argument and its options, such as `yeast --seed 0`.
    public var description: String
    /// `MultitaskDataset.fingerprint()` of the dataset trained on.
    public var fingerprint: String

    public init(description: String, fingerprint: String) {
        self.description = description
        self.fingerprint = fingerprint
    }
}

/// The optimiser settings a checkpoint was trained with, recorded for provenance.
public struct TrainerSettings: Sendable, Hashable, Codable {
    public var method: TrainingMethod
    /// The stopping rule of the last stage (Newton, or L-BFGS after Adam).
    public var convergence: ConvergenceCriterion
    /// Adam's step count, step size and the L-BFGS memory; nil for Newton.
    public var adamSteps: Int?
    public var learningRate: Double?
    public var memory: Int?

    /// The settings `trainer` uses for `model`.
    public init(trainer: MultitaskTrainer, model: MultitaskModel) {
        method = trainer.method(for: model)
        guard method == .adamThenLBFGS else {
            convergence = trainer.newton.convergence
            return
        }
        convergence = trainer.adamLBFGS.convergence
        adamSteps = trainer.adamLBFGS.adamSteps
        learningRate = trainer.adamLBFGS.learningRate
        memory = trainer.adamLBFGS.memory
    }
}

/// How a checkpoint's parameters were obtained: the report, the start and the optimiser.
public struct TrainingRecord: Sendable, Hashable, Codable {
    public var report: TrainingReport
    /// Seed of `MultitaskModel.makeInitialParameters(seed:)`; nil for a warm start.
    public var initializationSeed: UInt64?
    /// The checkpoint the run started from, as given on the command line.
    public var warmStart: String?
    public var settings: TrainerSettings

    public init(report: TrainingReport, initializationSeed: UInt64?, warmStart: String?, settings: TrainerSettings) {
        self.report = report
        self.initializationSeed = initializationSeed
        self.warmStart = warmStart
        self.settings = settings
    }
}

/// A trained multitask model: architecture, penalties, the tasks it serves and its parameter
/// vector w, with the data and training that produced it when known.
///
/// One format serves mtif's own checkpoints and weights trained elsewhere (docs/checkpoints.md):
/// a JSON file describing the model and an `.npz` archive holding one array per layer, in the
/// storage of `ParameterLayout` (weights `inputs × outputs`, then the bias). `read(from:)` and
/// `write(to:)` in `Checkpoint+IO.swift` convert between the two.
///
/// A checkpoint is applied to data through `makeObjective(dataset:datasetDescription:)`, which
/// refuses a dataset with other features or tasks and, when the checkpoint records the data it
/// was trained on, any other data.
public struct Checkpoint: Sendable, Equatable {
    public let architecture: ModelArchitecture
    public let regularization: Regularization
    /// d, the width of each input row.
    public let featureCount: Int
    /// One name per task, in task order (the order of the task blocks in w).
    public let taskNames: [String]
    public let targetKinds: [TargetKind]
    /// w, laid out by `model.layout`.
    public let parameters: [Double]
    /// The data trained on; nil for imported weights that do not say.
    public let dataset: DatasetRecord?
    /// How training went; nil for imported weights that do not say.
    public let training: TrainingRecord?
    /// The program that wrote the checkpoint, such as `mtif 0.1.0`.
    public let createdBy: String
    /// The model the parameters belong to, built once.
    public let model: MultitaskModel

    /// Wraps a parameter vector with its description.
    ///
    /// - Parameters:
    ///   - path: names the checkpoint in error messages.
    /// - Throws: `CheckpointError.Code.malformedField` when the architecture cannot be built for
    ///   the features and tasks, the names and kinds differ in number, or `parameters` has the
    ///   wrong length; `.nonFiniteParameter` for a NaN or infinite parameter.
    public init(
        architecture: ModelArchitecture, regularization: Regularization, featureCount: Int, taskNames: [String],
        targetKinds: [TargetKind], parameters: [Double], dataset: DatasetRecord? = nil,
        training: TrainingRecord? = nil, createdBy: String, path: String = "(in memory)"
    ) throws {
        guard taskNames.count == targetKinds.count else {
            throw CheckpointError(
                .malformedField, path: path,
                "Field 'taskNames' lists \(taskNames.count) tasks but 'targetKinds' lists \(targetKinds.count); give "
                    + "one name and one kind per task.")
        }
        let model: MultitaskModel
        do {
            try regularization.validate()
            model = try MultitaskModel(architecture: architecture, featureCount: featureCount, targetKinds: targetKinds)
        } catch let error as ModelError {
            throw CheckpointError(.malformedField, path: path, "The model it describes is invalid: \(error.message)")
        }
        guard parameters.count == model.parameterCount else {
            throw CheckpointError(
                .malformedField, path: path,
                "The architecture needs \(model.parameterCount) parameters, found \(parameters.count).")
        }
        if let index = parameters.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError(
                .nonFiniteParameter, path: path,
                "Parameter \(index) of w is \(parameters[index]); a model with NaN or infinite weights cannot be "
                    + "scored. Retrain it, or export it again from a run that stayed finite.")
        }

        self.architecture = architecture
        self.regularization = regularization
        self.featureCount = featureCount
        self.taskNames = taskNames
        self.targetKinds = targetKinds
        self.parameters = parameters
        self.dataset = dataset
        self.training = training
        self.createdBy = createdBy
        self.model = model
    }

    /// A checkpoint of parameters trained on `objective`, recording its dataset.
    ///
    /// - Parameters:
    ///   - datasetDescription: how the dataset was named, such as `yeast --seed 0`.
    /// - Throws: as `init(architecture:…)`; `.nonFiniteParameter` for a run that diverged.
    public init(
        objective: MultitaskObjective, parameters: [Double], datasetDescription: String, training: TrainingRecord?,
        createdBy: String
    ) throws {
        try self.init(
            architecture: objective.model.architecture, regularization: objective.regularization,
            featureCount: objective.model.featureCount, taskNames: objective.dataset.tasks.map(\.name),
            targetKinds: objective.model.targetKinds, parameters: parameters,
            dataset: DatasetRecord(description: datasetDescription, fingerprint: objective.dataset.fingerprint()),
            training: training, createdBy: createdBy)
    }

    // MARK: - Applying to data

    /// Checks that `dataset` is one this checkpoint can be applied to.
    ///
    /// - Parameters:
    ///   - datasetDescription: how `dataset` was named, quoted when the fingerprints differ.
    ///   - path: names the checkpoint in error messages.
    /// - Throws: `CheckpointError.Code.incompatibleDataset` when the feature count, the task count,
    ///   a task name or a target kind differs; `.datasetMismatch` when the checkpoint records a
    ///   fingerprint and `dataset.fingerprint()` differs from it.
    public func validate(
        against dataset: MultitaskDataset, datasetDescription: String? = nil, path: String = "(in memory)"
    ) throws {
        func refuse(_ what: String, expected: String, found: String) -> CheckpointError {
            CheckpointError(
                .incompatibleDataset, path: path,
                "The model expects \(what) \(expected); the dataset has \(found). Load the dataset the model was "
                    + "trained on\(self.dataset.map { " (\($0.description))" } ?? "").")
        }
        guard dataset.featureCount == featureCount else {
            throw refuse("features:", expected: "\(featureCount)", found: "\(dataset.featureCount)")
        }
        guard dataset.taskCount == taskNames.count else {
            throw refuse("tasks:", expected: "\(taskNames.count)", found: "\(dataset.taskCount)")
        }
        let names = dataset.tasks.map(\.name)
        if let task = names.indices.first(where: { names[$0] != taskNames[$0] }) {
            throw refuse("task \(task) to be named", expected: "'\(taskNames[task])'", found: "'\(names[task])'")
        }
        let kinds = dataset.tasks.map(\.targetKind)
        if let task = kinds.indices.first(where: { kinds[$0] != targetKinds[$0] }) {
            throw refuse(
                "task '\(taskNames[task])' to be", expected: targetKinds[task].checkpointName,
                found: kinds[task].checkpointName)
        }
        try validateFingerprint(of: dataset, datasetDescription: datasetDescription, path: path)
    }

    /// The training objective of this checkpoint's model and penalties on `dataset`.
    ///
    /// - Parameters:
    ///   - datasetDescription: how `dataset` was named, for error messages.
    ///   - trainingSplit: the split the objective averages over.
    ///   - path: names the checkpoint in error messages.
    /// - Throws: the errors of `validate(against:datasetDescription:path:)`; `ModelError` from
    ///   `MultitaskObjective.init` (`.emptyTask`, `.invalidTarget`).
    public func makeObjective(
        dataset: MultitaskDataset, datasetDescription: String? = nil, trainingSplit: Split = .train,
        path: String = "(in memory)"
    ) throws -> MultitaskObjective {
        try validate(against: dataset, datasetDescription: datasetDescription, path: path)
        return try MultitaskObjective(
            model: model, dataset: dataset, trainingSplit: trainingSplit, regularization: regularization)
    }

    /// The network outputs f of one task (`n × C`, before the link) for arbitrary input rows.
    ///
    /// - Precondition: `features` has `featureCount` columns; `task` is in range.
    /// - Complexity: one forward pass, 2·n·Σ inputs·outputs flops.
    public func outputs(task: Int, features: Matrix) -> Matrix {
        precondition(features.columns == featureCount, "The model reads \(featureCount) features")
        let network = model.networks[task]
        return network.forward(features, parameters: network.parameters(from: parameters), keepingSlopes: false)
            .outputs
    }

    private func validateFingerprint(of dataset: MultitaskDataset, datasetDescription: String?, path: String) throws {
        guard let record = self.dataset else { return }
        let found = dataset.fingerprint()
        guard found != record.fingerprint else { return }
        throw CheckpointError(
            .datasetMismatch, path: path,
            "The model was trained on '\(record.description)' (fingerprint \(record.fingerprint)), but the dataset "
                + "given\(datasetDescription.map { " ('\($0)')" } ?? "") has fingerprint \(found). Give the same "
                + "dataset with the same options (split fractions, seed, scaling, target kinds) as in training.")
    }
}

extension TargetKind {
    /// The name checkpoints store: `regression`, `binary` or `multiclass:C`; read back by
    /// `TargetKind(parsing:)`.
    public var checkpointName: String {
        switch self {
        case .regression: "regression"
        case .binary: "binary"
        case .multiclass(let classes): "multiclass:\(classes)"
        }
    }
}
