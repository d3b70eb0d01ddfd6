import Foundation
import Shared

/// The scoring pass on a worker pool, streaming scores into the run directory and resuming
/// from what an earlier coordinator of the same run finished.
enum DistributedScoring {
    /// Scores every shard of `prepared` on `pool`, skipping shards already in the run directory.
    ///
    /// Each result is written into its rows of the scores file and copied once into the
    /// in-memory matrix the summaries are computed from; neither is rebuilt at the end.
    /// This thread runs no BLAS meanwhile, so OpenBLAS is held to one thread: its idle
    /// threads would otherwise spin on the cores the local workers need.
    ///
    /// - Returns: the scores, and what the pool did (nil when every shard was already done).
    static func run(
        _ prepared: PreparedScoring, pool: WorkerPoolOptions, dataSource: ShardDataSource, runDirectory: URL,
        logger: Logger, progress: ProgressReporter?
    ) throws -> (InfluenceResult, SchedulerStatistics?) {
        let blobs = ScoreShardJob.contextBlobs(
            model: prepared.objective.model, parameters: prepared.parameters, context: prepared.context,
            dataSource: dataSource)
        let digest = RunContext(blobs: blobs).digest
        let context = RunContext(
            runID: try RunIdentifier(bytes: Array(digest.bytes.prefix(RunIdentifier.length))), blobs: blobs)
        let queryCount = prepared.queries.count
        let rows = prepared.context.trainCounts.reduce(0, +)
        let file = try ScoresFile(
            runDirectory: runDirectory, contextDigest: digest.description, rows: rows, columns: queryCount)
        let start = DispatchTime.now().uptimeNanoseconds

        let completed = file.finishedJobs(plan: prepared.plan)
        var assembler = prepared.makeAssembler()
        if !completed.isEmpty {
            logger.notice("resuming", ["shards.done": completed.count, "shards": prepared.plan.count])
            assembler = ScoresAssembler(
                values: try file.readValues(), trainCounts: prepared.context.trainCounts, queries: prepared.queries,
                convention: prepared.context.convention)
            progress?.advance(by: completed.reduce(0) { $0 + prepared.plan[Int($1)].scoreRows })
        }
        var statistics: SchedulerStatistics?
        if completed.count < prepared.plan.count {
            let threads = BLASRuntime.threadCount
            BLASRuntime.setThreadCount(1)
            defer { BLASRuntime.setThreadCount(threads) }
            let jobs = ScoreShardJob.jobs(plan: prepared.plan, objective: prepared.objective, dataSource: dataSource)
            let offsets = assembler.scores.taskOffsets
            statistics = try pool.run(context: context, jobs: jobs, completed: completed, logger: logger) { job in
                try ScoreShardJob.withResult(job.payload, queryCount: queryCount) { shard, scoreBytes in
                    guard shard == prepared.plan[Int(job.jobID)] else {
                        throw WireError(
                            .malformedMessage,
                            "Worker \(job.workerID) answered job \(job.jobID) with the scores of another shard "
                                + "(\(shard)); expected \(prepared.plan[Int(job.jobID)]).")
                    }
                    try file.write(jobID: job.jobID, shard: shard, scoreBytes: scoreBytes, taskOffsets: offsets)
                    assembler.insert(scoreBytes: scoreBytes, for: shard)
                    progress?.advance(by: shard.scoreRows)
                }
            }
        }
        try file.finish()
        progress?.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return (prepared.complete(scores: assembler.scores, scoringSeconds: seconds), statistics)
    }
}

extension ScoreShard {
    /// Rows of the scores matrix the shard fills: its examples for each of its tasks.
    var scoreRows: Int { examples.count * tasks.count }
}
