import Foundation
import Shared

/// `mtif score`: instance-level MTIF scores, the task matrix and top examples for a checkpoint.
enum ScoreCommand {
    static let command = Subcommand(
        name: "score",
        summary: "Score every training example against every query and write a run directory",
        help: """
            Usage: mtif score <dataset> --checkpoint MODEL.json --out DIR [options]

            Computes MTIF^k_li, the predicted change of query k's loss when training example i
            of task l is removed (> 0: the example harms the query; < 0: it helps), for every
            training example and query, plus the K × K task matrix (docs/method.md §3–§5).

            Scoring:
              --queries tasks|examples    task validation losses (default), or those plus every
                                          validation example
              --removal weight-zero|renormalised   (default weight-zero)
              --solver arrowhead|dense|cg|lissa    inverse-Hessian products (default arrowhead)
              --curvature hessian|gauss-newton     (default hessian)
              --damping δ                 add δI to the curvature (default 0)
              --tolerance T --max-iterations N     for cg (default 1e-10, 10000)
              --lissa-depth N             for lissa (default 10000)
              --shard-size N              training examples per shard (default 512)
              --worker-data send|load     how workers get training rows: sent with each shard
                                          (default; no shared files, worker memory independent
                                          of the data), or loaded once by every worker from the
                                          same dataset (a path it can read, or a built-in under
                                          its --data-dir; the fingerprint is checked)
            Workers (the scoring pass, and cg's curvature products; the rest runs here):
              --workers N                 local worker processes (default: one per core);
                                          0 scores in this process. With --solver cg, each
                                          CG iteration's curvature products are summed over
                                          all workers, which then serve the scoring pass
              --external K                also wait for K workers started elsewhere with
                                          `mtif worker --connect ENDPOINT` (printed on stderr)
              --bind ENDPOINT             where workers connect (default tcp://127.0.0.1:0)
              --lease-ms MS               a shard's lease, renewed by heartbeats (default 5000)
              --key FILE --authorized-keys FILE   CURVE: encrypt and authenticate workers
            Finished shards are kept in DIR/shards/: run the same command again to resume.
            Outputs:
              --out DIR                   run directory (created; files are replaced atomically)
              --top N                     helpful and harmful examples per task (default 10)
              --subsets FILE.csv          predict the effect of removing each subset: a CSV with
                                          columns subset,task,example (task name or index,
                                          example position within the task's training examples)
              --explain TASK:EXAMPLE      print one training example's scores
            The dataset options are those of `mtif data describe` and must describe the data the
            checkpoint was trained on (the fingerprint is checked).

            Example:
              mtif score yeast --checkpoint runs/yeast/model.json --out runs/yeast/score
            """,
        valueOptions: DatasetOptions.valueOptions.union([
            "checkpoint", "out", "queries", "removal", "solver", "curvature", "damping", "tolerance",
            "max-iterations", "lissa-depth", "shard-size", "top", "subsets", "explain", WorkerDataMode.option,
        ]).union(WorkerPoolOptions.valueOptions),
        flagOptions: DatasetOptions.flagOptions,
        run: { arguments in try run(arguments) })

    static func run(_ arguments: CommandArguments) throws {
        guard arguments.positional.count == 1 else {
            throw UsageError("score expects one dataset, found \(arguments.positional.count) arguments.")
        }
        guard let checkpointPath = arguments.value("checkpoint") else {
            throw UsageError("score needs --checkpoint MODEL.json.")
        }
        guard let out = arguments.value("out") else { throw UsageError("score needs --out DIR for the run directory.") }
        let configuration = try influenceConfiguration(arguments)
        let logger = Logger(label: "mtif")

        let clock = StageClock(logger: logger)
        let (dataset, checkpoint) = try clock.measure("load") {
            (try DatasetOptions.load(arguments.positional[0], arguments), try Checkpoint.read(from: checkpointPath))
        }
        let objective = try checkpoint.makeObjective(
            dataset: dataset, datasetDescription: DatasetOptions.description(arguments.positional[0], arguments),
            path: checkpointPath)
        let pool = try WorkerPoolOptions(arguments, defaultLocalWorkers: ProcessInfo.processInfo.activeProcessorCount)
        let dataSource = try shardDataSource(arguments, dataset: dataset, split: objective.trainingSplit)
        let progress =
            arguments.isSet("quiet")
            ? nil : ProgressReporter(stage: "score", total: totalExamples(objective), unit: "examples")
        let session = pool.isDistributed ? WorkerPoolSession(options: pool, logger: logger) : nil
        let prepared = try clock.measure("prepare") {
            try prepare(
                objective: objective, parameters: checkpoint.parameters, configuration: configuration,
                session: session, dataSource: dataSource, logger: logger)
        }
        let result = try clock.measure("score") {
            try scoringPass(
                prepared, session: session, dataSource: dataSource, runDirectory: URL(fileURLWithPath: out),
                logger: logger, progress: progress)
        }

        let writer = try ScoreRunWriter(directory: URL(fileURLWithPath: out), dataset: dataset, result: result)
        try RunConfiguration(command: command, arguments: arguments).write(
            to: writer.directory.appendingPathComponent(RunConfiguration.fileName))
        try clock.measure("write") {
            try writer.writeTables(
                topCount: try arguments.integer("top", default: 10), includingMatrix: !pool.isDistributed)
            if let subsets = arguments.value("subsets") {
                try writer.write(
                    "subset-predictions.csv",
                    try SubsetPredictions.table(from: subsets, dataset: dataset, scores: result.scores))
            }
        }
        let manifest = ScoreManifest(
            createdBy: "mtif \(CommandLineInterface.version)", createdAt: Date().formatted(.iso8601),
            dataset: .init(
                description: DatasetOptions.description(arguments.positional[0], arguments), name: dataset.name,
                fingerprint: dataset.fingerprint(), layout: dataset.layout.rawValue, tasks: dataset.tasks.map(\.name),
                trainCounts: result.scores.trainCounts),
            model: .init(
                checkpoint: checkpointPath, fingerprint: objective.model.fingerprint(parameters: checkpoint.parameters),
                parameterCount: objective.parameterCount, architecture: objective.model.architecture),
            configuration: configuration, solve: result.solve,
            timings: clock.seconds.merging(result.timings) { first, _ in first },
            outputs: ScoreSummary.outputDescriptions(
                hasSubsets: arguments.value("subsets") != nil, hasScoresCSV: writer.writesScoresCSV))
        try RunFiles.writeJSON(manifest, to: writer.directory.appendingPathComponent("manifest.json"))

        if let explain = arguments.value("explain") {
            print(try ScoreSummary.explanation(of: explain, dataset: dataset, scores: result.scores))
        } else if !arguments.isSet("quiet") {
            print(ScoreSummary.text(result: result, dataset: dataset, directory: out))
        }
    }

    /// Queries, gradients and the solve; with `--solver cg` and a worker pool, conjugate
    /// gradient's curvature products are summed over the pool's workers, local and external
    /// (one round of `curvature-shard` jobs per iteration), and the solve report says so. The
    /// same workers then serve the scoring pass.
    static func prepare(
        objective: MultitaskObjective, parameters: [Double], configuration: InfluenceConfiguration,
        session: WorkerPoolSession?, dataSource: ShardDataSource = .sentWithShards, logger: Logger
    ) throws -> PreparedScoring {
        guard configuration.solver == .conjugateGradient, let session else {
            return try InfluenceEngine.prepare(
                objective: objective, parameters: parameters, configuration: configuration)
        }
        return try InfluenceEngine.prepare(objective: objective, parameters: parameters, configuration: configuration) {
            solve in
            let context = try CurvatureShardJob.runContext(
                model: objective.model, parameters: parameters, curvature: configuration.curvature,
                dataSource: dataSource)
            let (products, statistics) = try session.rounds(context: context, jobKinds: [CurvatureShardJob.kind]) {
                scheduler in
                try solve(
                    DistributedCurvatureOperator(
                        objective: objective, curvature: configuration.curvature, shardSize: configuration.shardSize,
                        dataSource: dataSource, scheduler: scheduler))
            }
            logger.info(
                "curvature products summed over workers",
                [
                    "rounds": products.report.distributedProducts?.rounds ?? 0,
                    "shards": products.report.distributedProducts?.shardsPerRound ?? 0,
                    "workers": statistics.jobsPerWorker.count, "bytes.sent": statistics.bytesSent,
                    "bytes.received": statistics.bytesReceived,
                    "seconds": String(format: "%.3f", statistics.elapsed.inSeconds),
                    "compute.seconds": String(format: "%.3f", statistics.totalComputeTime.inSeconds),
                    "dispatch.mean.ms": String(format: "%.3f", statistics.meanDispatchOverhead.inSeconds * 1e3),
                ])
            return products
        }
    }

    /// Scores on the worker pool, or here with one BLAS thread (as workers use) when there is none.
    static func scoringPass(
        _ prepared: PreparedScoring, session: WorkerPoolSession?, dataSource: ShardDataSource = .sentWithShards,
        runDirectory: URL, logger: Logger, progress: ProgressReporter?
    ) throws -> InfluenceResult {
        guard let session else {
            let threads = BLASRuntime.threadCount
            BLASRuntime.setThreadCount(1)
            defer { BLASRuntime.setThreadCount(threads) }
            return prepared.scoreInProcess(progress: progress)
        }
        let (result, statistics) = try DistributedScoring.run(
            prepared, session: session, dataSource: dataSource, runDirectory: runDirectory, logger: logger,
            progress: progress)
        if let statistics {
            logger.info(
                "workers finished",
                [
                    "seconds": String(format: "%.3f", statistics.elapsed.inSeconds), "bytes.sent": statistics.bytesSent,
                    "bytes.received": statistics.bytesReceived, "redispatches": statistics.redispatchCount,
                    "dispatch.mean.ms": String(format: "%.3f", statistics.meanDispatchOverhead.inSeconds * 1e3),
                ])
        }
        return result
    }

    /// `--worker-data`: rows sent with the shards (default), or loaded by the workers from the
    /// dataset this command loaded, checked by its fingerprint.
    static func shardDataSource(
        _ arguments: CommandArguments, dataset: MultitaskDataset, split: Split
    ) throws -> ShardDataSource {
        try WorkerDataMode(arguments).source(
            request: DatasetRequest(arguments.positional[0], arguments), dataset: dataset, split: split)
    }

    static func totalExamples(_ objective: MultitaskObjective) -> Int {
        (0..<objective.taskCount).reduce(0) { $0 + objective.trainCount(task: $1) }
    }

    /// The influence configuration from the scoring options.
    static func influenceConfiguration(_ arguments: CommandArguments) throws -> InfluenceConfiguration {
        InfluenceConfiguration(
            solver: try choice(arguments, "solver", default: .arrowhead),
            curvature: try choice(arguments, "curvature", default: .hessian),
            damping: try arguments.real("damping", default: 0),
            convention: try choice(arguments, "removal", default: .weightZero),
            queries: try choice(arguments, "queries", default: .tasks),
            iterative: IterativeSolveConfiguration(
                tolerance: try positive(arguments.real("tolerance", default: 1e-10), "tolerance"),
                maximumIterations: Int(
                    try positive(Double(arguments.integer("max-iterations", default: 10_000)), "max-iterations"))),
            lissa: LiSSA.Configuration(
                depth: Int(try positive(Double(arguments.integer("lissa-depth", default: 10_000)), "lissa-depth"))),
            shardSize: try arguments.integer("shard-size", default: 512))
    }

    /// Parses an option whose values are the raw values of `Value`.
    static func choice<Value: RawRepresentable & CaseIterable>(
        _ arguments: CommandArguments, _ name: String, default defaultValue: Value
    ) throws -> Value where Value.RawValue == String {
        guard let text = arguments.value(name) else { return defaultValue }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw UsageError("Option --\(name) expects one of \(allowed); found '\(text)'.")
        }
        return value
    }

    private static func positive(_ value: Double, _ name: String) throws -> Double {
        guard value > 0 else { throw UsageError("Option --\(name) must be positive, found \(value).") }
        return value
    }
}

/// Times the stages of a command and logs each at info level.
final class StageClock {
    private let logger: Logger
    private(set) var seconds: [String: Double] = [:]

    init(logger: Logger) {
        self.logger = logger
    }

    func measure<Result>(_ stage: String, _ body: () throws -> Result) rethrows -> Result {
        logger.info("stage started", ["stage": stage])
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        seconds[stage] = elapsed
        logger.info("stage finished", ["stage": stage, "seconds": String(format: "%.3f", elapsed)])
        return result
    }
}
