import Foundation
import Shared

/// `mtif train`: fit a multitask model to a dataset and write a checkpoint.
enum TrainCommand {
    static let train = Subcommand(
        name: "train",
        summary: "Train a multitask model on a dataset and write a checkpoint",
        help: """
            Usage: mtif train <dataset> [dataset options] --model SPEC --l2 λ [options] --out PATH

            Minimises the multitask objective (docs/method.md §1): each task's loss averaged
            over its training examples, summed over tasks, plus the L2 penalty. Convex models
            (no hidden layers) are trained by Newton's method, networks by Adam then L-BFGS,
            both to a relative gradient norm of 1e-10 by default. Prints the training report and
            writes <name>.json and <name>.npz (docs/checkpoints.md).

            <dataset> and the dataset options (--seed, --fractions, --target-kind, CSV columns,
            --no-standardize, --data-dir) are those of `mtif data describe --help`; the
            checkpoint records them and the dataset's fingerprint.

              --model SPEC          linear            f_k(x) = xᵀ(γ + θ_k), no bias
                                    hard:none         independent linear heads with bias
                                    hard:16tanh       shared trunk, then a linear head per
                                    hard:32tanh,16softplus   task (activations tanh,
                                                      softplus, relu)
                                    soft:linear       per-task linear models pulled towards
                                    soft:16tanh       a shared centre (needs --coupling)
              --l2 λ                weight decay λ ≥ 0 (required)
              --coupling μ          soft sharing's pull towards the centre, μ > 0
              --seed N              split seed, and initialisation seed unless --init-seed
              --init-seed N         seed of the random starting point of a network
              --warm-start FILE     start from a checkpoint of the same model and data
              --adam-steps N        Adam steps before L-BFGS (default 500; 0 with --warm-start)
              --max-iterations N    cap on Newton or L-BFGS iterations (default 100 / 5000)
              --tolerance T         relative gradient tolerance (default 1e-10)
              --out PATH            NAME.json, or a directory that gets checkpoint.json
              --allow-unconverged   write the checkpoint of a run that missed its tolerance,
                                    marked "converged": false (the exit status stays 1)

            Exit status 1 when training does not converge; then no checkpoint is written unless
            --allow-unconverged is given.

            Examples:
              mtif train yeast --model hard:16tanh --l2 1e-3 --out runs/yeast-mlp
              mtif train synthetic:K=4 --model linear --l2 0.1 --out ridge.json
              mtif train yeast --model soft:linear --l2 1e-3 --coupling 0.1 --out soft.json
              mtif train yeast --model hard:16tanh --l2 1e-4 --warm-start runs/yeast-mlp/checkpoint.json \\
                  --out runs/yeast-mlp-1e-4
            """,
        valueOptions: DatasetOptions.valueOptions.union([
            "model", "l2", "coupling", "init-seed", "warm-start", "out", "adam-steps", "max-iterations", "tolerance",
        ]),
        flagOptions: DatasetOptions.flagOptions.union(["allow-unconverged"]),
        run: { arguments in try run(arguments) })

    private static func run(_ arguments: CommandArguments) throws {
        guard arguments.positional.count == 1 else {
            throw UsageError("train expects one dataset, found \(arguments.positional.count) arguments.")
        }
        let options = try TrainOptions(arguments)
        let dataset = try DatasetOptions.load(arguments.positional[0], arguments)
        let description = DatasetOptions.description(arguments.positional[0], arguments)
        let model = try MultitaskModel(architecture: options.architecture, dataset: dataset)
        let objective = try MultitaskObjective(model: model, dataset: dataset, regularization: options.regularization)
        let start = try options.warmStart.map { try warmStartParameters(from: $0, options, dataset, description) }

        let display = arguments.isSet("quiet") ? nil : TrainingProgressDisplay()
        let trained: TrainedParameters
        do {
            defer { display?.finish() }
            trained = try options.trainer.train(
                objective, from: start, seed: options.initializationSeed, observer: display.map { $0.observe })
        } catch let error as TrainingError {
            print(alignedFields(error.report.summaryFields))
            throw try keepUnconverged(error, objective, options, description)
        }

        print(alignedFields(trained.report.summaryFields))
        let checkpoint = try makeCheckpoint(objective, trained.parameters, trained.report, options, description)
        try options.createOutputDirectory()
        try checkpoint.write(to: options.outputPath)
        try RunConfiguration(command: train, arguments: arguments).write(
            to: URL(fileURLWithPath: options.outputPath).deletingPathExtension().appendingPathExtension("config.json"))
        print(alignedFields([("checkpoint", options.outputPath)], width: "relative gradient norm".count))
    }

    /// The parameters of the warm-start checkpoint, after checking that they fit the model and
    /// data being trained (the penalties may differ: that is how a regularisation path is run).
    private static func warmStartParameters(
        from path: String, _ options: TrainOptions, _ dataset: MultitaskDataset, _ description: String
    ) throws -> [Double] {
        let checkpoint = try Checkpoint.read(from: path)
        guard checkpoint.architecture == options.architecture else {
            throw UsageError(
                "The warm-start checkpoint \(path) holds model '\(checkpoint.architecture.specification)', but --model "
                    + "is '\(options.architecture.specification)'. Give the same --model.")
        }
        try checkpoint.validate(against: dataset, datasetDescription: description, path: path)
        return checkpoint.parameters
    }

    /// Writes the last iterate marked unconverged when allowed, and returns the error to exit with.
    private static func keepUnconverged(
        _ error: TrainingError, _ objective: MultitaskObjective, _ options: TrainOptions, _ description: String
    ) throws -> TrainingError {
        guard options.allowsUnconverged, let parameters = error.parameters else {
            let hint =
                options.allowsUnconverged
                ? "The last iterate is not finite, so no checkpoint was written."
                : "No checkpoint was written; raise --max-iterations, loosen --tolerance, or pass "
                    + "--allow-unconverged to keep it marked unconverged."
            return TrainingError(error.code, "\(error.message) \(hint)", report: error.report)
        }
        let checkpoint = try makeCheckpoint(objective, parameters, error.report, options, description)
        try options.createOutputDirectory()
        try checkpoint.write(to: options.outputPath)
        return TrainingError(
            error.code,
            "\(error.message) The checkpoint \(options.outputPath) was written with \"converged\": false "
                + "(--allow-unconverged); influence scores assume a converged model.",
            report: error.report)
    }

    private static func makeCheckpoint(
        _ objective: MultitaskObjective, _ parameters: [Double], _ report: TrainingReport, _ options: TrainOptions,
        _ description: String
    ) throws -> Checkpoint {
        let record = TrainingRecord(
            report: report, initializationSeed: options.warmStart == nil ? options.initializationSeed : nil,
            warmStart: options.warmStart, settings: TrainerSettings(trainer: options.trainer, model: objective.model))
        return try Checkpoint(
            objective: objective, parameters: parameters, datasetDescription: description, training: record,
            createdBy: "mtif \(CommandLineInterface.version)")
    }
}
