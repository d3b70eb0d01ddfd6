import Foundation

/// The command line of a worker, shared by `mtif-worker` and `mtif worker` so that both accept
/// the same options and run the same loop.
public enum WorkerCommandLine {
    /// Options that take a value.
    public static let valueOptions: Set<String> = [
        "connect", "id", "key", "server-key", "timeout", "max-frame-mib", "data-dir",
    ]
    /// Options without a value.
    public static let flagOptions: Set<String> = ["exit-with-parent"]

    /// The help text, with `program` as the command's name.
    public static func help(program: String) -> String {
        """
        Usage: \(program) --connect ENDPOINT [--id NAME] [--key SECRET_FILE --server-key PUBLIC_FILE]
                   [--timeout SECONDS] [--max-frame-mib MIB] [--data-dir DIR]

        Connects to an mtif coordinator, receives the run's context, and runs the jobs it hands
        out (one at a time, BLAS on one thread) until the coordinator ends the run.

          --connect ENDPOINT   the coordinator's endpoint, e.g. tcp://10.0.0.5:5555
          --id NAME            a name for the coordinator's logs (default: host-pid)
          --key FILE           this worker's CURVE secret key file (from `mtif keygen`)
          --server-key FILE    the coordinator's CURVE public key file; needed with --key
          --timeout SECONDS    give up when the coordinator is silent this long (default 60)
          --max-frame-mib MIB  largest message accepted, in MiB (default 1024; match the coordinator)
          --data-dir DIR       where built-in datasets' files are on this machine, for runs scored
                               with --worker-data load (default: $MTIF_DATA_DIR, else ./data)
          --exit-with-parent   exit as soon as the process that started this worker is gone
                               (used by the local workers `mtif score` starts)

        Exit codes: 0 when the coordinator ended the run, 64 bad usage, 1 refused or lost.

        Example:
          \(program) --connect tcp://10.0.0.5:5555 --key keys/worker.secret --server-key keys/coordinator.key
        """
    }

    /// The worker configuration the options describe.
    ///
    /// - Throws: `UsageError` for a missing endpoint, a key without its counterpart or a bad
    ///   number; `WireError.invalidKey` for an unreadable or malformed key file.
    public static func configuration(from arguments: CommandArguments) throws -> WorkerConfiguration {
        guard let endpoint = arguments.value("connect") else {
            throw UsageError("A worker needs --connect ENDPOINT, the coordinator's endpoint.")
        }
        guard arguments.positional.isEmpty else {
            throw UsageError("Unexpected arguments: \(arguments.positional.joined(separator: " ")).")
        }
        let timeout = try arguments.real("timeout", default: 60)
        let frameMiB = try arguments.integer("max-frame-mib", default: WireProtocol.defaultMaximumFrameSize >> 20)
        guard timeout > 0, frameMiB >= 1, frameMiB <= WireProtocol.frameSizeLimit >> 20 else {
            throw UsageError("--timeout must be positive and --max-frame-mib between 1 and 2047.")
        }
        return WorkerConfiguration(
            endpoint: endpoint, workerID: arguments.value("id") ?? WorkerConfiguration.defaultWorkerID,
            coordinatorTimeout: .milliseconds(Int64(timeout * 1000)), security: try security(from: arguments),
            maximumFrameSize: frameMiB << 20)
    }

    private static func security(from arguments: CommandArguments) throws -> CurveClientSecurity? {
        switch (arguments.value("key"), arguments.value("server-key")) {
        case (nil, nil): return nil
        case (let secretPath?, let serverPath?):
            return CurveClientSecurity(
                serverKey: try CurveKeyFiles.readPublicKey(at: serverPath),
                keyPair: try CurveKeyFiles.readKeyPair(secretKeyAt: secretPath))
        default: throw UsageError("--key and --server-key go together: CURVE needs both.")
        }
    }

    /// Parses the options and serves one run with the library's standard job handlers.
    ///
    /// - Returns: what the worker did.
    /// - Throws: what `configuration(from:)` and `JobWorker.run()` throw.
    public static func run(_ arguments: CommandArguments, logger: Logger) throws -> WorkerSummary {
        let configuration = try configuration(from: arguments)
        if arguments.isSet("exit-with-parent") { ParentWatch.start() }
        logger.info("connecting", ["worker.id": configuration.workerID, "endpoint": configuration.endpoint])
        let handlers = JobHandlerRegistry.standard(
            dataDirectory: DataDirectory.resolve(explicit: arguments.value("data-dir")))
        let summary = try JobWorker(configuration: configuration, handlers: handlers, logger: logger).run()
        logger.info(
            "run ended",
            ["worker.id": configuration.workerID, "jobs": summary.jobsCompleted, "reason": summary.shutdownReason])
        return summary
    }
}

/// Ends this process when its parent does, so that local workers never outlive a coordinator
/// that was killed (SIGKILL cannot be caught, so the coordinator cannot stop them itself).
enum ParentWatch {
    /// Polls the parent process id every 200 ms on a background thread; when the parent is gone
    /// (the process was re-parented), exits with status 1 at once.
    static func start() {
        let parent = getppid()
        let thread = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.2) }
            _exit(1)
        }
        thread.name = "mtif.parent-watch"
        thread.start()
    }
}
