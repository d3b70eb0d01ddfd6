// MARK: - Messages from the coordinator

extension WorkerLoop {
    /// Handles every queued message.
    ///
    /// - Returns: the summary once the coordinator sent shutdown, else `nil`.
    func receiveMessages() throws -> WorkerSummary? {
        while let frames = try dealer.receiveIfReady() {
            summary.bytesReceived += frames.reduce(0) { $0 + $1.count }
            guard frames.count == 1 else {
                throw WireError.malformed("coordinator message", expected: "one frame", found: "\(frames.count)")
            }
            let envelope = try WireEnvelope.decode(frames[0], maximumFrameSize: configuration.maximumFrameSize)
            lastHeard = clock.now
            if let finished = try handle(envelope) { return finished }
        }
        return nil
    }

    private func handle(_ envelope: WireEnvelope) throws -> WorkerSummary? {
        if case .refuse(let reason) = envelope.message {
            throw WireError(.refused, "The coordinator at \(configuration.endpoint) refused this worker: \(reason)")
        }
        if case .welcome(let welcome) = envelope.message {
            try accept(welcome, runID: envelope.runID, contextDigest: envelope.contextDigest)
            return nil
        }
        guard phase != .greeting, envelope.runID == runID, envelope.contextDigest == contextDigest else {
            worker.logger.warning(
                "message for another run ignored", ["worker.id": configuration.workerID, "run": envelope.runID])
            return nil
        }
        switch envelope.message {
        case .shutdown(let reason, let nextRunFollows):
            summary.shutdownReason = reason
            summary.nextRunFollows = nextRunFollows
            worker.logger.info("coordinator ended the run", ["worker.id": configuration.workerID, "reason": reason])
            return summary
        case .contextBlob(let blob): try receive(blob)
        case .jobAssignment(let assignment): try start(assignment)
        case .heartbeat(let heldJobIDs): try noticeHeartbeatReply(listing: heldJobIDs)
        case .hello, .welcome, .refuse, .jobRequest, .jobResult, .jobFailure: break
        }
        return nil
    }

    /// Acts on the coordinator's answer to a heartbeat, which lists the jobs leased to this
    /// worker and travels behind everything the coordinator sent before it on the connection.
    ///
    /// - While loading the context, the blobs still missing were lost with a connection that
    ///   libzmq re-established (they are sent right after the welcome): start over.
    /// - When idle and the list is empty, no assignment is on its way: the last job request
    ///   either waits at the coordinator, which ignores a repeated one, or was lost the same
    ///   way, so ask again. A listed job this worker never received was lost too; its lease
    ///   runs out, and a later answer is empty.
    private func noticeHeartbeatReply(listing heldJobIDs: [UInt64]) throws {
        switch phase {
        case .loadingContext:
            try startOver(reason: "\(missingBlobs.count) context blobs did not arrive", level: .notice)
        case .ready where runningJobID == nil && heldJobIDs.isEmpty: try send(.jobRequest)
        case .ready, .greeting: break
        }
    }

    /// Checks the welcome against the pins and the announced context digest, then waits for
    /// the blobs the cache lacks.
    private func accept(_ welcome: CoordinatorWelcome, runID: RunIdentifier, contextDigest: WireDigest) throws {
        guard phase == .greeting else { return }
        let manifestDigest = RunContext.digest(of: welcome.manifest)
        let pinsHold =
            (configuration.expectedRunID.map { $0 == runID } ?? true)
            && (configuration.expectedContextDigest.map { $0 == contextDigest } ?? true)
        guard pinsHold, manifestDigest == contextDigest else {
            throw WireError(
                .contextMismatch,
                "The coordinator announced run \(runID) with context \(contextDigest), but its manifest hashes to "
                    + "\(manifestDigest) or this worker is pinned to another run or context.")
        }
        self.runID = runID
        self.contextDigest = contextDigest
        summary.runID = runID
        heartbeatInterval = max(welcome.heartbeatInterval, .milliseconds(1))
        manifest = welcome.manifest
        missingBlobs = Dictionary(
            welcome.manifest.filter { worker.cache.blob(digest: $0.digest, name: $0.name) == nil }.map {
                ($0.name, $0)
            },
            uniquingKeysWith: { first, _ in first })
        phase = .loadingContext
        nextHeartbeat = clock.now + heartbeatInterval
        try startWorkingIfContextComplete()
    }

    private func receive(_ blob: ContextBlob) throws {
        guard phase == .loadingContext, let entry = missingBlobs[blob.name], entry.digest == blob.digest,
            entry.size == UInt64(blob.bytes.count)
        else {
            throw WireError(
                .contextMismatch,
                "The coordinator sent context blob '\(blob.name)', which its manifest did not announce.")
        }
        try worker.cache.store(blob)
        summary.blobsReceived += 1
        missingBlobs[blob.name] = nil
        try startWorkingIfContextComplete()
    }

    private func startWorkingIfContextComplete() throws {
        guard missingBlobs.isEmpty else { return }
        let blobs = try manifest.map { entry in
            guard let blob = worker.cache.blob(digest: entry.digest, name: entry.name) else {
                throw WireError(.contextMismatch, "Context blob '\(entry.name)' vanished from the cache.")
            }
            return blob
        }
        workerContext = WorkerContext(runID: runID, digest: contextDigest, blobs: blobs)
        phase = .ready
        worker.logger.info(
            "joined run", ["worker.id": configuration.workerID, "run": runID, "blobs.received": summary.blobsReceived])
        try send(.jobRequest)
    }

    /// Hands an assignment to the compute thread, or reports at once why it cannot run.
    private func start(_ assignment: JobAssignment) throws {
        guard phase == .ready, runningJobID == nil, let workerContext else {
            let report = JobFailureReport(
                jobID: assignment.jobID, kind: .remote, message: "worker \(configuration.workerID) was not idle")
            return try send(.jobFailure(report))
        }
        guard let handler = worker.handlers[assignment.kind] else {
            let report = JobFailureReport(
                jobID: assignment.jobID, kind: .unknownJobKind,
                message: "worker \(configuration.workerID) has no handler for '\(assignment.kind)'")
            try send(.jobFailure(report))
            return try send(.jobRequest)
        }
        runningJobID = assignment.jobID
        let input = JobInput(
            jobID: assignment.jobID, kind: assignment.kind, payload: assignment.payload, context: workerContext)
        executor.submit(JobExecutor.Work(input: input, handler: handler))
        worker.logger.debug("job started", ["worker.id": configuration.workerID, "job": assignment.jobID])
    }
}
