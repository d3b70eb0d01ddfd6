import Foundation
import Shared

/// Runs retrainings as `retrain` jobs on a worker pool: local worker processes, workers started
/// elsewhere, or both.
///
/// Each call is one run of the pool: it binds the endpoint, starts the local workers, sends
/// every worker the model, ŵ, the objective, the trainer and (unless workers load the dataset)
/// the training split once, hands out one job per distinct request, and ends the run when each
/// has a result. Workers compute with one BLAS thread, so the parameters equal those of
/// `InProcessRetrainer` run with one BLAS thread on the same machine, bit for bit; so does this
/// process while it waits, leaving the cores to the local workers.
///
/// With a journal, every result is recorded as it arrives, and results already recorded are
/// not retrained: running a killed command again finishes only what was left.
struct PoolRetrainer: Retrainer {
    let trainer: MultitaskTrainer
    let pool: WorkerPoolOptions
    let workerData: WorkerDataMode
    /// Loads the objective's dataset on workers, for `--worker-data load`.
    let datasetRequest: DatasetRequest
    let journal: RetrainingJournal?
    let logger: Logger

    /// Retrains on the pool.
    ///
    /// - Throws: `UsageError` for a request that does not fit the objective (before any worker
    ///   starts); `TrainingError` as soon as a worker's retraining stops short, with the
    ///   trainer's code, message and report; `WireError` when a job failed on every attempt or a
    ///   result is malformed; `RunStoreError` when the journal cannot be written.
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

        let jobs = plan.jobs(excluding: Set(results.keys))
        if !jobs.isEmpty {
            let context = try runContext(objective: objective, start: start)
            let threads = BLASRuntime.threadCount
            BLASRuntime.setThreadCount(1)
            defer { BLASRuntime.setThreadCount(threads) }
            let statistics = try pool.run(context: context, jobs: jobs, completed: [], logger: logger) { job in
                let (index, trained) = try plan.decode(jobID: job.jobID, payload: job.payload)
                try journal?.record(job.payload, for: plan.keys[index])
                results[index] = trained
                progress?.advance(by: plan.requestCount(of: index))
            }
            logger.info(
                "workers finished",
                [
                    "retrainings": jobs.count, "seconds": String(format: "%.3f", statistics.elapsed.inSeconds),
                    "bytes.sent": statistics.bytesSent, "redispatches": statistics.redispatchCount,
                ])
        }
        progress?.finish()
        return plan.ordered(results)
    }

    /// The run's context blobs, with a run identifier derived from their digest.
    private func runContext(objective: MultitaskObjective, start: [Double]) throws -> RunContext {
        let source = workerData.source(
            request: datasetRequest, dataset: objective.dataset, split: objective.trainingSplit)
        let blobs = RetrainJob.contextBlobs(objective: objective, start: start, trainer: trainer, dataSource: source)
        let digest = RunContext(blobs: blobs).digest
        return RunContext(
            runID: try RunIdentifier(bytes: Array(digest.bytes.prefix(RunIdentifier.length))), blobs: blobs)
    }
}
