import Foundation
import Shared

/// The options that say which workers a command uses: local processes, remote ones, where they
/// connect, and CURVE keys.
struct WorkerPoolOptions {
    static let valueOptions: Set<String> = ["workers", "external", "bind", "lease-ms", "key", "authorized-keys"]

    /// Local worker processes to start.
    let localWorkers: Int
    /// Workers started elsewhere (`mtif worker --connect`) to wait for.
    let externalWorkers: Int
    let endpoint: String
    let lease: Duration
    let security: CurveServerSecurity?

    /// Parses the options; `defaultLocalWorkers` applies when `--workers` is absent.
    ///
    /// - Throws: `UsageError` for negative counts, a lease under 10 ms, or keys given by halves.
    init(_ arguments: CommandArguments, defaultLocalWorkers: Int) throws {
        localWorkers = try arguments.integer("workers", default: defaultLocalWorkers)
        externalWorkers = try arguments.integer("external", default: 0)
        endpoint = arguments.value("bind") ?? "tcp://127.0.0.1:0"
        let leaseMilliseconds = try arguments.integer("lease-ms", default: 5000)
        guard localWorkers >= 0, externalWorkers >= 0, leaseMilliseconds >= 10 else {
            throw UsageError("--workers and --external must be ≥ 0 and --lease-ms ≥ 10.")
        }
        lease = .milliseconds(leaseMilliseconds)
        security = try Self.security(arguments)
    }

    /// Whether any worker takes part; with none, work runs in this process.
    var isDistributed: Bool { localWorkers + externalWorkers > 0 }

    private static func security(_ arguments: CommandArguments) throws -> CurveServerSecurity? {
        switch (arguments.value("key"), arguments.value("authorized-keys")) {
        case (nil, nil): return nil
        case (let key?, let authorized):
            let pair = try CurveKeyFiles.readKeyPair(secretKeyAt: key)
            let keys = try authorized.map { try CurveKeyFiles.readAuthorizedKeys(at: $0) } ?? []
            return CurveServerSecurity(secretKey: pair.secretKey, authorizedClients: keys)
        case (nil, _?): throw UsageError("--authorized-keys needs the coordinator's --key.")
        }
    }

    /// Runs `jobs` on the pool: binds, prints the endpoint, starts the local workers, and
    /// returns when every job has a result. Local workers are stopped and reaped on every path.
    func run(
        context: RunContext, jobs: [JobSpecification], completed: Set<UInt64>, logger: Logger,
        onResult: (CompletedJob) throws -> Void
    ) throws -> SchedulerStatistics {
        let localKeys = try security.map {
            try LocalWorkerKeys(serverKey: CurveKeyPair(secretKey: $0.secretKey).publicKey)
        }
        var configuration = SchedulerConfiguration(
            endpoint: endpoint, leaseDuration: lease, security: security,
            minimumWorkers: min(localWorkers + externalWorkers, max(jobs.count - completed.count, 1)))
        if let localKeys { configuration.security?.authorizedClients.insert(localKeys.workerPublicKey) }
        let scheduler = try JobScheduler(
            configuration: configuration, context: context, jobs: jobs, completedJobIDs: completed, logger: logger)
        logger.info("coordinator listening", ["endpoint": scheduler.endpoint])
        if externalWorkers > 0 {
            // Unbuffered, so that a launcher can hand the endpoint to remote workers.
            FileHandle.standardError.write(Data("endpoint \(scheduler.endpoint)\n".utf8))
        }
        let workers = LocalWorkers()
        defer { workers.stop() }
        try workers.start(count: localWorkers, endpoint: scheduler.endpoint, keys: localKeys)
        let statistics = try scheduler.run(onResult: onResult)
        workers.waitForExit(within: .seconds(5))
        return statistics
    }

    /// Runs `body` with a scheduler for rounds of jobs on this machine's local workers only,
    /// then shuts them down.
    ///
    /// External workers serve one run each, so they are kept for the scoring run that follows;
    /// the rounds bind a system-chosen loopback port, with CURVE when the pool uses it.
    ///
    /// - Parameters:
    ///   - context: the rounds' context blobs.
    ///   - jobKinds: every job kind of the rounds.
    ///   - body: runs on this thread with the scheduler; it may call `runRound` any number of times.
    /// - Returns: what `body` returned and what the rounds cost.
    /// - Precondition: `localWorkers > 0`.
    func withLocalRounds<Value>(
        context: RunContext, jobKinds: Set<String>, logger: Logger, _ body: (JobScheduler) throws -> Value
    ) throws -> (Value, SchedulerStatistics) {
        precondition(localWorkers > 0, "Rounds need local workers")
        let localKeys = try security.map {
            try LocalWorkerKeys(serverKey: CurveKeyPair(secretKey: $0.secretKey).publicKey)
        }
        var configuration = SchedulerConfiguration(
            endpoint: "tcp://127.0.0.1:0", leaseDuration: lease, security: security, minimumWorkers: localWorkers)
        if let localKeys { configuration.security?.authorizedClients.insert(localKeys.workerPublicKey) }
        let scheduler = try JobScheduler(
            configuration: configuration, context: context, roundJobKinds: jobKinds, logger: logger)
        let workers = LocalWorkers()
        defer { workers.stop() }
        try workers.start(count: localWorkers, endpoint: scheduler.endpoint, keys: localKeys)
        let value = try body(scheduler)
        let statistics = scheduler.finish()
        workers.waitForExit(within: .seconds(5))
        return (value, statistics)
    }
}
