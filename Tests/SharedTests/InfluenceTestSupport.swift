@testable import Shared

/// Trained problems for influence tests: real datasets or the synthetic generator, a model, and
/// its optimum.
struct TrainedProblem {
    let objective: MultitaskObjective
    let parameters: [Double]

    /// Loads a built-in dataset by specification, builds the model and trains it to convergence.
    static func make(
        _ specification: String, architecture: ModelArchitecture, l2: Double, seed: UInt64 = 0,
        dataDirectory: String = "/nonexistent"
    ) throws -> TrainedProblem {
        let dataset = try DatasetSource.builtin(BuiltinDataset(specification: specification)).load(
            configuration: DatasetConfiguration(seed: seed), dataDirectory: DataDirectory(path: dataDirectory))
        let model = try MultitaskModel(architecture: architecture, dataset: dataset)
        let objective = try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: l2))
        let trained = try MultitaskTrainer().train(objective, seed: seed)
        return TrainedProblem(objective: objective, parameters: trained.parameters)
    }

    /// Every training example of every task.
    var allTrainExamples: [TrainExample] {
        (0..<objective.taskCount).flatMap { task in
            (0..<objective.trainCount(task: task)).map { TrainExample(task: task, example: $0) }
        }
    }
}
