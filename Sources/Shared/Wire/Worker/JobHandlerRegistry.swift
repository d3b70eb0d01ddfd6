/// What a job handler receives: the job and the run's context as the worker holds it.
public struct JobInput: Sendable {
    public let jobID: UInt64
    public let kind: String
    public let payload: [UInt8]
    public let context: WorkerContext
}

/// A run's context on a worker: its blobs by name, verified against their digests.
public struct WorkerContext: Sendable {
    public let runID: RunIdentifier
    public let digest: WireDigest
    let blobs: [String: ContextBlob]

    init(runID: RunIdentifier, digest: WireDigest, blobs: [ContextBlob]) {
        self.runID = runID
        self.digest = digest
        self.blobs = Dictionary(blobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The bytes of the blob called `name`.
    ///
    /// - Throws: `JobHandlerError` of kind `missingContext` when the run has no such blob.
    public func blob(named name: String) throws -> [UInt8] {
        guard let blob = blobs[name] else {
            throw JobHandlerError(
                .missingContext,
                "The run's context has no blob '\(name)'; it has \(blobs.keys.sorted().joined(separator: ", ")).")
        }
        return blob.bytes
    }
}

/// An error a job handler throws to choose which of the wire's failure kinds the coordinator
/// sees.
public struct JobHandlerError: ReportableError {
    public let kind: JobFailureKind
    public let message: String
    public let site: ThrowSite
    public var category: FailureCategory { kind == .invalidPayload ? .data : .failure }

    public init(_ kind: JobFailureKind, _ message: String, site: ThrowSite = ThrowSite()) {
        self.kind = kind
        self.message = message
        self.site = site
    }

    /// The failure kind and message that cross the wire for any error a handler throws.
    ///
    /// `JobHandlerError` keeps its kind; a malformed payload (`WireError.malformedMessage`)
    /// or another error about bad data is `invalidPayload`; other `ReportableError`s are
    /// `computationFailed`; anything else is `remote`, described by its type and text.
    static func wireFailure(for error: Error) -> (kind: JobFailureKind, message: String) {
        switch error {
        case let handlerError as JobHandlerError: (handlerError.kind, handlerError.message)
        case let reportable as ReportableError where reportable.category != .failure:
            (.invalidPayload, reportable.message)
        case let reportable as ReportableError: (.computationFailed, reportable.message)
        default: (.remote, "\(type(of: error)): \(error)")
        }
    }
}

/// A job handler: reads the payload and the context, returns the result's bytes or throws.
///
/// Handlers run on the worker's compute thread, one job at a time, and must be pure functions
/// of their input so that a job computed twice (after a lost lease) gives the same bytes.
public typealias JobHandler = @Sendable (JobInput) throws -> [UInt8]

/// The handlers a worker offers, by job kind.
public struct JobHandlerRegistry: Sendable {
    public private(set) var handlers: [String: JobHandler]

    public init(_ handlers: [String: JobHandler] = [:]) {
        self.handlers = handlers
    }

    /// Every job kind the library implements, finding datasets in the default data directory
    /// (`DataDirectory.resolve`: `MTIF_DATA_DIR`, then `./data`).
    public static var standard: JobHandlerRegistry {
        standard(dataDirectory: DataDirectory.resolve(explicit: nil))
    }

    /// Every job kind the library implements: `dot-shard`, `score-shard`, `curvature-shard`,
    /// `retrain`.
    ///
    /// - Parameter dataDirectory: where built-in datasets' files are, for runs whose workers
    ///   load the dataset themselves.
    public static func standard(dataDirectory: DataDirectory) -> JobHandlerRegistry {
        let datasets = WorkerDatasets(dataDirectory: dataDirectory)
        return JobHandlerRegistry([
            DotShardJob.kind: DotShardJob.handle, ScoreShardJob.kind: ScoreShardJob.makeHandler(datasets: datasets),
            CurvatureShardJob.kind: CurvatureShardJob.makeHandler(datasets: datasets),
            RetrainJob.kind: RetrainJob.makeHandler(datasets: datasets),
        ])
    }

    /// Adds or replaces the handler for `kind`.
    public mutating func register(_ kind: String, _ handler: @escaping JobHandler) {
        handlers[kind] = handler
    }

    public subscript(kind: String) -> JobHandler? { handlers[kind] }

    /// The kinds offered, sorted, as the hello announces them.
    public var kinds: [String] { handlers.keys.sorted() }
}
