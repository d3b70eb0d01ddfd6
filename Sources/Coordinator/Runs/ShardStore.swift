import Foundation
import Shared

/// Finished shard results of a scoring run, kept on disk as they arrive so that a restarted
/// coordinator resumes without recomputing them.
///
/// `shards/context.sha256` names the run's context (model, parameters, inverse-Hessian
/// products, convention); results of another context are stale and are removed, never mixed
/// in. Each result is written atomically as `shards/<job id>.bin`, exactly the bytes the
/// worker returned.
struct ShardStore {
    let directory: URL
    let contextDigest: String

    init(runDirectory: URL, contextDigest: String) throws {
        directory = runDirectory.appendingPathComponent("shards")
        self.contextDigest = contextDigest
        try RunFiles.createDirectory(directory)
        let stamp = directory.appendingPathComponent("context.sha256")
        let recorded = try? String(contentsOf: stamp, encoding: .utf8)
        if recorded?.trimmingCharacters(in: .whitespacesAndNewlines) != contextDigest {
            try clear()
            try RunFiles.writeAtomically(stamp) {
                try Data((contextDigest + "\n").utf8).write(to: URL(fileURLWithPath: $0))
            }
        }
    }

    /// Stores one result.
    func store(jobID: UInt64, payload: [UInt8]) throws {
        try RunFiles.writeAtomically(directory.appendingPathComponent("\(jobID).bin")) {
            try Data(payload).write(to: URL(fileURLWithPath: $0))
        }
    }

    /// Every stored result of this context, by job id; a file that does not decode is dropped
    /// (its shard runs again).
    func load(jobCount: Int, decode: (UInt64, [UInt8]) -> Bool) -> Set<UInt64> {
        var loaded = Set<UInt64>()
        for jobID in 0..<UInt64(jobCount) {
            let url = directory.appendingPathComponent("\(jobID).bin")
            guard let data = try? Data(contentsOf: url) else { continue }
            if decode(jobID, Array(data)) {
                loaded.insert(jobID)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
        return loaded
    }

    private func clear() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasSuffix(".bin") || name.hasSuffix(".partial") {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// The scoring pass on a worker pool, resuming from a shard store.
enum DistributedScoring {
    /// Scores every shard of `prepared` on `pool`, skipping shards already in the run directory.
    static func run(
        _ prepared: PreparedScoring, pool: WorkerPoolOptions, runDirectory: URL, logger: Logger,
        progress: ProgressReporter?
    ) throws -> (InfluenceResult, SchedulerStatistics?) {
        let blobs = ScoreShardJob.contextBlobs(
            model: prepared.objective.model, parameters: prepared.parameters, context: prepared.context)
        let digest = RunContext(blobs: blobs).digest
        let context = RunContext(
            runID: try RunIdentifier(bytes: Array(digest.bytes.prefix(RunIdentifier.length))), blobs: blobs)
        let store = try ShardStore(runDirectory: runDirectory, contextDigest: digest.description)
        let jobs = ScoreShardJob.jobs(plan: prepared.plan, objective: prepared.objective)
        let start = DispatchTime.now().uptimeNanoseconds

        var assembler = prepared.makeAssembler()
        func insert(_ payload: [UInt8]) throws {
            let (shard, blocks) = try ScoreShardJob.decodeResult(payload, queryCount: prepared.queries.count)
            assembler.insert(blocks, for: shard)
            progress?.advance(by: shard.examples.count * shard.tasks.count)
        }
        let completed = store.load(jobCount: jobs.count) { jobID, payload in
            guard let (shard, _) = try? ScoreShardJob.decodeResult(payload, queryCount: prepared.queries.count),
                shard == prepared.plan[Int(jobID)]
            else { return false }
            return (try? insert(payload)) != nil
        }
        if !completed.isEmpty { logger.notice("resuming", ["shards.done": completed.count, "shards": jobs.count]) }
        var statistics: SchedulerStatistics?
        if completed.count < jobs.count {
            statistics = try pool.run(context: context, jobs: jobs, completed: completed, logger: logger) { job in
                try store.store(jobID: job.jobID, payload: job.payload)
                try insert(job.payload)
            }
        }
        progress?.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return (prepared.complete(scores: assembler.scores, scoringSeconds: seconds), statistics)
    }
}
