import Foundation
import Shared

/// One command's use of a worker pool: its local workers and the endpoint they and any
/// external workers connect to, across several runs.
///
/// `mtif score --solver cg` needs two runs with different contexts: rounds of curvature
/// products while conjugate gradient iterates, then the scoring pass, whose context holds the
/// inverse-Hessian products the first run produced. Both bind the same endpoint, one after the
/// other; the first ends with a shutdown that says another run follows, so every worker, local
/// or started elsewhere with `mtif worker --connect`, reconnects and serves the second with its
/// blob cache and loaded datasets intact. Local workers are started once and reaped when the
/// session ends, on every path.
///
/// - Important: Schedulers own sockets: use a session on one thread.
final class WorkerPoolSession {
    let options: WorkerPoolOptions
    let logger: Logger
    private let workers = LocalWorkers()
    private var localKeys: LocalWorkerKeys?
    /// The endpoint after the first bind, with the system-chosen port filled in.
    private var boundEndpoint: String?

    init(options: WorkerPoolOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    deinit {
        workers.stop()
    }

    /// Runs `body` with a scheduler for rounds of jobs (`runRound`) on every worker of the
    /// pool, then tells the workers that another run follows.
    ///
    /// - Parameters:
    ///   - context: the rounds' context blobs.
    ///   - jobKinds: every job kind of the rounds.
    ///   - body: runs on this thread with the scheduler; it may call `runRound` any number of times.
    /// - Returns: what `body` returned and what the rounds cost.
    func rounds<Value>(
        context: RunContext, jobKinds: Set<String>, _ body: (JobScheduler) throws -> Value
    ) throws -> (Value, SchedulerStatistics) {
        let scheduler = try bind { configuration in
            try JobScheduler(configuration: configuration, context: context, roundJobKinds: jobKinds, logger: logger)
        }
        let value = try body(scheduler)
        return (value, scheduler.finish(nextRunFollows: true))
    }

    /// Runs `jobs` on the pool and returns when every job has a result; the workers are then
    /// told the session is over, and local workers are waited for.
    ///
    /// - Parameters:
    ///   - completed: jobs already done (a resumed run); they are not dispatched.
    ///   - onResult: called on this thread once per job with its first result.
    func run(
        context: RunContext, jobs: [JobSpecification], completed: Set<UInt64>,
        onResult: (CompletedJob) throws -> Void
    ) throws -> SchedulerStatistics {
        let remaining = jobs.count - completed.count
        let scheduler = try bind(minimumWorkers: min(options.workerCount, max(remaining, 1))) { configuration in
            try JobScheduler(
                configuration: configuration, context: context, jobs: jobs, completedJobIDs: completed, logger: logger)
        }
        let statistics = try scheduler.run(onResult: onResult)
        workers.waitForExit(within: .seconds(5))
        return statistics
    }

    // MARK: - Binding

    /// How long a new run waits for the previous run's listening socket to be released.
    static let rebindPatience = Duration.seconds(5)

    /// Creates a scheduler on the session's endpoint; the first one also prints the endpoint
    /// for external workers and starts the local ones.
    private func bind(
        minimumWorkers: Int? = nil, _ make: (SchedulerConfiguration) throws -> JobScheduler
    ) throws -> JobScheduler {
        if localKeys == nil, let security = options.security {
            localKeys = try LocalWorkerKeys(serverKey: CurveKeyPair(secretKey: security.secretKey).publicKey)
        }
        var configuration = SchedulerConfiguration(
            endpoint: boundEndpoint ?? options.endpoint, leaseDuration: options.lease, security: options.security,
            minimumWorkers: minimumWorkers ?? options.workerCount)
        if let localKeys { configuration.security?.authorizedClients.insert(localKeys.workerPublicKey) }

        let scheduler = try retryingWhileAddressInUse { try make(configuration) }
        guard boundEndpoint == nil else { return scheduler }
        boundEndpoint = scheduler.endpoint
        logger.info("coordinator listening", ["endpoint": scheduler.endpoint])
        if options.externalWorkers > 0 {
            // Unbuffered, so that a launcher can hand the endpoint to remote workers.
            FileHandle.standardError.write(Data("endpoint \(scheduler.endpoint)\n".utf8))
        }
        try workers.start(count: options.localWorkers, endpoint: scheduler.endpoint, keys: localKeys)
        return scheduler
    }

    /// libzmq closes a listening socket on its I/O thread, shortly after the scheduler that
    /// owned it is gone; a run that binds the same address at once may find it still taken.
    private func retryingWhileAddressInUse(_ make: () throws -> JobScheduler) throws -> JobScheduler {
        let deadline = ContinuousClock.now + Self.rebindPatience
        while true {
            do {
                return try make()
            } catch let error as WireError where error.errorNumber == EADDRINUSE && boundEndpoint != nil {
                guard ContinuousClock.now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }
}
