import Foundation
import Shared
import Synchronization

/// The options of `mtif train` other than the dataset's, parsed and checked before any data is
/// read so that a typo fails at once.
struct TrainOptions {
    let architecture: ModelArchitecture
    let regularization: Regularization
    let initializationSeed: UInt64
    let warmStart: String?
    let trainer: MultitaskTrainer
    /// The checkpoint's JSON file.
    let outputPath: String
    let allowsUnconverged: Bool

    /// - Throws: `UsageError` for a missing or malformed option.
    init(_ arguments: CommandArguments) throws {
        guard let model = arguments.value("model") else {
            throw UsageError("train needs --model, one of \(ModelArchitecture.specificationExamples).")
        }
        architecture = try ModelArchitecture(specification: model)
        regularization = try Self.regularization(arguments, architecture: architecture)

        let seed = try arguments.integer("seed", default: 0)
        guard seed >= 0 else { throw UsageError("Option --seed expects a non-negative integer, found \(seed).") }
        let initSeed = try arguments.integer("init-seed", default: seed)
        guard initSeed >= 0 else {
            throw UsageError("Option --init-seed expects a non-negative integer, found \(initSeed).")
        }
        initializationSeed = UInt64(initSeed)
        warmStart = arguments.value("warm-start")
        trainer = try Self.trainer(arguments, isWarmStart: warmStart != nil)

        guard let out = arguments.value("out"), !out.isEmpty else {
            throw UsageError("train needs --out: NAME.json, or a directory that will hold checkpoint.json.")
        }
        outputPath = Self.jsonPath(for: out)
        allowsUnconverged = arguments.isSet("allow-unconverged")
    }

    private static func regularization(
        _ arguments: CommandArguments, architecture: ModelArchitecture
    ) throws -> Regularization {
        guard arguments.value("l2") != nil else {
            throw UsageError("train needs --l2 λ, the weight decay (λ ≥ 0; for example --l2 1e-3).")
        }
        let l2 = try arguments.real("l2", default: 0)
        let coupling = try arguments.real("coupling", default: 0)
        guard l2 >= 0, coupling >= 0 else {
            throw UsageError("--l2 and --coupling must be non-negative, found λ = \(l2), μ = \(coupling).")
        }
        if architecture.isSoftSharing, coupling <= 0 {
            throw UsageError(
                "Soft sharing needs --coupling μ > 0: without it the shared centre is not determined by the data "
                    + "and the Hessian is singular. Example: --coupling 0.1.")
        }
        if !architecture.isSoftSharing, arguments.value("coupling") != nil {
            throw UsageError("--coupling applies to soft sharing (--model soft:…) only; drop it for hard sharing.")
        }
        return Regularization(l2: l2, coupling: coupling)
    }

    /// The trainer with the tolerance and caps of the options. A warm start skips Adam unless
    /// `--adam-steps` says otherwise: it begins near a minimum, where L-BFGS alone converges fast and
    /// Adam's fixed-size steps would only wander off.
    private static func trainer(_ arguments: CommandArguments, isWarmStart: Bool) throws -> MultitaskTrainer {
        var trainer = MultitaskTrainer()
        if isWarmStart { trainer.adamLBFGS.adamSteps = 0 }
        let tolerance = try arguments.real("tolerance", default: trainer.newton.convergence.relativeGradientTolerance)
        guard tolerance > 0, tolerance < 1 else {
            throw UsageError("--tolerance must be in (0, 1), found \(tolerance).")
        }
        let adamSteps = try arguments.integer("adam-steps", default: trainer.adamLBFGS.adamSteps)
        guard adamSteps >= 0 else { throw UsageError("--adam-steps must be non-negative, found \(adamSteps).") }
        trainer.adamLBFGS.adamSteps = adamSteps
        trainer.newton.convergence.relativeGradientTolerance = tolerance
        trainer.adamLBFGS.convergence.relativeGradientTolerance = tolerance
        if arguments.value("max-iterations") != nil {
            let cap = try arguments.integer("max-iterations", default: 0)
            guard cap >= 1 else { throw UsageError("--max-iterations must be at least 1, found \(cap).") }
            trainer.newton.convergence.maximumIterations = cap
            trainer.adamLBFGS.convergence.maximumIterations = cap
        }
        return trainer
    }

    /// The JSON path for `--out`: the path itself when it ends in `.json`, else `checkpoint.json`
    /// in that directory.
    private static func jsonPath(for out: String) -> String {
        out.hasSuffix(".json") ? out : URL(fileURLWithPath: out).appendingPathComponent("checkpoint.json").path
    }

    /// Creates the directory of `outputPath` when it is missing; called just before writing, so a
    /// run that fails leaves nothing behind.
    ///
    /// - Throws: `UsageError` when the directory cannot be created.
    func createOutputDirectory() throws {
        let directory = URL(fileURLWithPath: outputPath).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw UsageError("--out: cannot create the directory \(directory.path): \(error.localizedDescription)")
        }
    }
}

/// Shows training progress on standard error: one `ProgressReporter` per optimiser stage
/// (Adam, then L-BFGS; or Newton), counting iterations against the stage's cap.
final class TrainingProgressDisplay: Sendable {
    private let current = Mutex<(stage: TrainingStage, reporter: ProgressReporter)?>(nil)

    /// Advances the bar of `progress.stage`, finishing the previous stage's bar on a change.
    func observe(_ progress: TrainingProgress) {
        current.withLock { current in
            if let active = current, active.stage == progress.stage {
                active.reporter.advance()
                return
            }
            current?.reporter.finish()
            let reporter = ProgressReporter(
                stage: "train \(progress.stage.rawValue)", total: progress.iterationLimit, unit: "iterations")
            reporter.advance()
            current = (progress.stage, reporter)
        }
    }

    /// Prints the last stage's final line.
    func finish() {
        current.withLock { $0?.reporter.finish() }
    }
}
