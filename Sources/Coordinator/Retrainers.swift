import Foundation
import Shared

/// The one place that chooses where a command's retrainings run: on a worker pool (local
/// processes by default, one per core; `--external` ones too) or, with `--workers 0`, in this
/// process. Every command that retrains (`mtif select`, and later ones) takes the same options
/// and calls `make`.
enum Retrainers {
    /// The options `make` reads, for a command's `valueOptions`.
    static let valueOptions = WorkerPoolOptions.valueOptions.union([WorkerDataMode.option])

    /// The help lines of those options, for a command's help text.
    static let help = """
        Workers (the retrainings; the rest runs here):
          --workers N                 local worker processes (default: one per core); 0
                                      retrains in this process
          --external K                also wait for K workers started elsewhere with
                                      `mtif worker --connect ENDPOINT` (printed on stderr)
          --bind ENDPOINT             where workers connect (default tcp://127.0.0.1:0)
          --lease-ms MS               a retraining's lease, renewed by heartbeats (default 5000)
          --key FILE --authorized-keys FILE   CURVE: encrypt and authenticate workers
          --worker-data send|load     the training split sent once to every worker (default),
                                      or loaded by every worker from the same dataset (a path
                                      it can read, or a built-in under its --data-dir; the
                                      fingerprint is checked)
        Workers and this process both retrain with one BLAS thread, so on one machine the
        retrained models are the same bit for bit whatever --workers says.
        """

    /// The retrainer the command line asks for.
    ///
    /// - Parameters:
    ///   - trainer: the optimiser of every retraining.
    ///   - datasetRequest: loads the objective's dataset, for workers with `--worker-data load`.
    ///   - journal: where finished retrainings are recorded as they arrive and found again
    ///     when the command runs again; nil for none.
    /// - Throws: `UsageError` for bad worker options.
    static func make(
        _ arguments: CommandArguments, trainer: MultitaskTrainer, datasetRequest: DatasetRequest, journal: URL?,
        logger: Logger
    ) throws -> any Retrainer {
        let pool = try WorkerPoolOptions(arguments, defaultLocalWorkers: ProcessInfo.processInfo.activeProcessorCount)
        let workerData = try WorkerDataMode(arguments)
        let journal = journal.map { RetrainingJournal(directory: $0) }
        guard pool.isDistributed else { return LocalRetrainer(trainer: trainer, journal: journal, logger: logger) }
        return PoolRetrainer(
            trainer: trainer, pool: pool, workerData: workerData, datasetRequest: datasetRequest, journal: journal,
            logger: logger)
    }
}

/// `InProcessRetrainer` with one BLAS thread, as workers compute, and a journal.
///
/// One thread makes its parameters those of a worker pool bit for bit (OpenBLAS may split a
/// large product over threads in an order that changes the last bits); with a journal, each
/// retraining is recorded when it finishes, and recorded ones are not retrained again.
struct LocalRetrainer: Retrainer {
    let trainer: MultitaskTrainer
    let journal: RetrainingJournal?
    let logger: Logger

    /// - Throws: as `InProcessRetrainer`, and `RunStoreError` when the journal cannot be written.
    func retrain(
        _ requests: [RetrainingRequest], objective: MultitaskObjective, from start: [Double],
        progress: ProgressReporter?
    ) throws -> [TrainedParameters] {
        let plan = try RetrainingPlan(requests: requests, objective: objective, start: start, trainer: trainer)
        var results = journal?.finishedResults(of: plan, logger: logger) ?? [:]
        if !results.isEmpty {
            logger.notice("resuming", ["retrainings.done": results.count, "retrainings": plan.distinct.count])
        }
        progress?.advance(by: results.keys.reduce(0) { $0 + plan.requestCount(of: $1) })

        let threads = BLASRuntime.threadCount
        BLASRuntime.setThreadCount(1)
        defer { BLASRuntime.setThreadCount(threads) }
        let retrainer = InProcessRetrainer(trainer: trainer)
        for index in plan.distinct.indices where results[index] == nil {
            let trained = try retrainer.retrain(
                [plan.distinct[index]], objective: objective, from: start, progress: nil)
            try journal?.record(RetrainJob.encodedResult(trained[0]), for: plan.keys[index])
            results[index] = trained[0]
            progress?.advance(by: plan.requestCount(of: index))
        }
        progress?.finish()
        return plan.ordered(results)
    }
}
