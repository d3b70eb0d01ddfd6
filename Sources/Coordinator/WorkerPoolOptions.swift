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

    /// Local and external workers together.
    var workerCount: Int { localWorkers + externalWorkers }

    /// Runs `jobs` on the pool in a session of its own: binds, prints the endpoint, starts the
    /// local workers, and returns when every job has a result. Local workers are stopped and
    /// reaped on every path.
    func run(
        context: RunContext, jobs: [JobSpecification], completed: Set<UInt64>, logger: Logger,
        onResult: (CompletedJob) throws -> Void
    ) throws -> SchedulerStatistics {
        try WorkerPoolSession(options: self, logger: logger).run(
            context: context, jobs: jobs, completed: completed, onResult: onResult)
    }
}

/// `--worker-data`: how workers get the training rows of a distributed run.
enum WorkerDataMode: String {
    /// In the payloads or context blobs: nothing to install or share on the workers.
    case send
    /// From the dataset, which each worker loads itself and checks by fingerprint.
    case load

    static let option = "worker-data"

    /// Parses `--worker-data send|load` (default send).
    ///
    /// - Throws: `UsageError` for any other value.
    init(_ arguments: CommandArguments) throws {
        let text = arguments.value(Self.option) ?? "send"
        guard let mode = WorkerDataMode(rawValue: text) else {
            throw UsageError("Option --worker-data expects send or load; found '\(text)'.")
        }
        self = mode
    }

    /// The data source of a run over `split` of `dataset`, which `request` loads.
    func source(request: DatasetRequest, dataset: MultitaskDataset, split: Split) -> ShardDataSource {
        switch self {
        case .send: .sentWithShards
        case .load: .loadedByWorkers(request, fingerprint: dataset.fingerprint(), split: split)
        }
    }
}
