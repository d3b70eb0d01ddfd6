// MARK: - Inbound messages

extension JobScheduler {
    /// Handles one message from the ROUTER: the sender's identity frame, then one frame.
    func handle(_ frames: [[UInt8]], onResult: (CompletedJob) throws -> Void) throws {
        statistics.messagesReceived += 1
        statistics.bytesReceived += frames.reduce(0) { $0 + $1.count }
        guard let identity = frames.first else { return }
        let peer = PeerID(bytes: identity)
        guard !ignoredPeers.contains(peer) else {
            statistics.droppedMessages += 1
            return
        }
        guard frames.count == 2 else {
            return try reject(peer, problem: "expected one frame per message, found \(frames.count - 1)")
        }
        let envelope: WireEnvelope
        do {
            envelope = try WireEnvelope.decode(frames[1], maximumFrameSize: configuration.maximumFrameSize)
        } catch let error as WireError where error.code == .unsupportedProtocolVersion {
            return try refuse(peer, reason: error.message)
        } catch {
            return try reject(peer, problem: "\(error)")
        }
        try route(envelope, from: peer, onResult: onResult)
    }

    private func route(_ envelope: WireEnvelope, from peer: PeerID, onResult: (CompletedJob) throws -> Void) throws {
        if case .hello(let hello) = envelope.message { return try welcome(peer, hello: hello, envelope: envelope) }
        guard sessions[peer] != nil else {
            return try refuse(
                peer, reason: "This coordinator has no session for you; say hello first (was it restarted?).")
        }
        guard envelope.runID == context.runID, envelope.contextDigest == context.digest else {
            return try refuse(
                peer,
                reason: "Message for run \(envelope.runID) with context \(envelope.contextDigest); this coordinator "
                    + "runs \(context.runID) with context \(context.digest).")
        }
        sessions[peer]?.lastHeard = clock.now
        switch envelope.message {
        case .jobRequest: markWaiting(peer)
        case .heartbeat(let jobIDs): try renewLeases(jobIDs, for: peer)
        case .jobResult(let result): try accept(result, from: peer, onResult: onResult)
        case .jobFailure(let report): try recordFailure(report, from: peer)
        case .hello, .welcome, .refuse, .contextBlob, .jobAssignment, .shutdown:
            try reject(peer, problem: "a worker does not send \(envelope.message.kind) messages")
        }
    }

    /// Accepts a worker, or refuses it with a reason it can show.
    private func welcome(_ peer: PeerID, hello: WorkerHello, envelope: WireEnvelope) throws {
        // A worker repeats its hello until welcomed (a hello sent while the endpoint changed
        // hands between runs can be lost); one that already arrived keeps its welcome.
        guard sessions[peer] == nil else {
            return logger.debug("repeated hello ignored", ["worker.id": sessions[peer]?.workerID ?? ""])
        }
        if let reason = refusalReason(for: hello, envelope: envelope) { return try refuse(peer, reason: reason) }
        let workerID = hello.workerID.isEmpty ? peer.description : hello.workerID
        sessions[peer] = WorkerSession(workerID: workerID, lastHeard: clock.now)
        statistics.workersJoined += 1
        logger.info("worker joined", ["worker.id": workerID, "processors": hello.processorCount])

        let welcome = CoordinatorWelcome(
            leaseDuration: configuration.leaseDuration, heartbeatInterval: configuration.heartbeatInterval,
            manifest: context.manifest)
        // A worker that cannot be reached now repeats its hello once it can, and is welcomed anew.
        guard try send(.welcome(welcome), to: peer) else { return try forget(peer, reason: "unreachable") }
        let cached = Set(hello.cachedBlobs)
        for (digest, frame) in blobFrames where !cached.contains(digest) {
            guard try sendFrame(frame, to: peer) else { return try forget(peer, reason: "unreachable") }
        }
    }

    private func refusalReason(for hello: WorkerHello, envelope: WireEnvelope) -> String? {
        if !envelope.runID.isZero && envelope.runID != context.runID {
            return "This worker is pinned to run \(envelope.runID); the coordinator runs \(context.runID)."
        }
        if !envelope.contextDigest.isZero && envelope.contextDigest != context.digest {
            return "This worker expects context \(envelope.contextDigest); the coordinator's context is "
                + "\(context.digest)."
        }
        let missing = requiredKinds.subtracting(hello.jobKinds)
        guard missing.isEmpty else {
            return "This worker has no handler for job kinds \(missing.sorted().joined(separator: ", ")); "
                + "run the coordinator's mtif release on it."
        }
        return nil
    }

    /// Queues a worker's job request, unless it already waits or still holds a lease: a worker
    /// repeats its request while idle (see `WorkerLoop`), and a repetition that crossed an
    /// assignment on the wire must not earn it a second job.
    private func markWaiting(_ peer: PeerID) {
        guard sessions[peer]?.isWaiting == false, !ledger.holdsLease(peer) else { return }
        sessions[peer]?.isWaiting = true
        waiting.append(peer)
    }

    /// Renews the leases the worker lists and replies with the jobs still leased to it.
    private func renewLeases(_ jobIDs: [UInt64], for peer: PeerID) throws {
        let now = clock.now
        for index in jobIDs.compactMap({ ledger.index(of: $0) }) {
            _ = ledger.renew(
                index, by: peer, at: now, for: configuration.leaseDuration, timeLimit: configuration.jobTimeLimit)
        }
        let held = ledger.leases.filter { $0.value.peer == peer }.map { ledger.jobs[$0.key].id }.sorted()
        try send(.heartbeat(jobIDs: held), to: peer)
    }

    /// Takes the first result for a job and hands it to the caller; later ones are ignored.
    private func accept(
        _ result: JobResultMessage, from peer: PeerID, onResult: (CompletedJob) throws -> Void
    )
        throws
    {
        let workerID = sessions[peer]?.workerID ?? peer.description
        switch ledger.complete(result.jobID) {
        case .unknown where pastJobIDs.contains(result.jobID):
            statistics.duplicateResults += 1
            logger.debug("late result from an earlier round ignored", ["worker.id": workerID, "job": result.jobID])
        case .unknown:
            try reject(peer, problem: "result for job \(result.jobID), which is not part of this run")
        case .duplicate:
            statistics.duplicateResults += 1
            if let index = ledger.index(of: result.jobID) { sessions[peer]?.dispatchedAt[index] = nil }
            logger.debug("result for a completed job ignored", ["worker.id": workerID, "job": result.jobID])
        case .accepted(let index, _):
            let sentAt = sessions[peer]?.dispatchedAt.removeValue(forKey: index)
            let roundTrip = sentAt.map { clock.now - $0 } ?? result.computeTime
            statistics.completedJobs += 1
            statistics.jobsPerWorker[workerID, default: 0] += 1
            statistics.recordOverhead(roundTrip: roundTrip, computeTime: result.computeTime)
            logger.debug("job done", ["worker.id": workerID, "job": result.jobID, "seconds": roundTrip.inSeconds])
            try onResult(
                CompletedJob(
                    jobID: result.jobID, kind: ledger.jobs[index].kind, payload: result.payload, workerID: workerID,
                    computeTime: result.computeTime, roundTrip: roundTrip))
        }
    }

    private func recordFailure(_ report: JobFailureReport, from peer: PeerID) throws {
        guard let index = ledger.index(of: report.jobID) else {
            guard !pastJobIDs.contains(report.jobID) else { return }
            return try reject(peer, problem: "failure for job \(report.jobID), which is not part of this run")
        }
        let workerID = sessions[peer]?.workerID ?? peer.description
        sessions[peer]?.dispatchedAt[index] = nil
        statistics.reportedFailures += 1
        let reason = "worker \(workerID): \(report.kind): \(report.message)"
        switch ledger.recordFailedAttempt(index, reason: reason, holder: peer) {
        case .retry(let attempts):
            statistics.redispatchCount += 1
            logger.warning(
                "job failed on a worker; it goes back to the queue",
                ["worker.id": workerID, "job": report.jobID, "attempts": attempts, "reason": reason])
        case .exhausted(let reasons): throw jobFailedError(index, reasons: reasons)
        case .ignored: break
        }
    }
}

// MARK: - Outbound messages and peer bookkeeping

extension JobScheduler {
    /// Leases job `index` to `peer` and sends the assignment; logs `job leased` at debug level
    /// (worker, job, attempt), which is how an operator or a test sees who holds which shard.
    func assign(_ index: Int, to peer: PeerID, _ onDispatch: (DispatchEvent) -> Void) throws {
        let job = ledger.jobs[index]
        let now = clock.now
        ledger.lease(index, to: peer, at: now, for: configuration.leaseDuration)
        sessions[peer]?.isWaiting = false
        sessions[peer]?.dispatchedAt[index] = now
        let assignment = JobAssignment(
            jobID: job.id, kind: job.kind, leaseDuration: configuration.leaseDuration, payload: job.payload)
        guard try send(.jobAssignment(assignment), to: peer) else {
            // The job never left: it goes back to the queue at no cost of an attempt, and the
            // worker asks again if it reconnects.
            ledger.release(index)
            sessions[peer]?.dispatchedAt[index] = nil
            return
        }
        statistics.dispatchCount += 1
        let workerID = sessions[peer]?.workerID ?? peer.description
        let previousAttempts = ledger.failedAttempts(index)
        logger.debug(
            "job leased",
            [
                "worker.id": workerID, "job": job.id, "attempt": previousAttempts + 1,
                "lease.seconds": configuration.leaseDuration.inSeconds,
            ])
        onDispatch(DispatchEvent(jobID: job.id, workerID: workerID, previousAttempts: previousAttempts))
    }

    /// Sends a message; one that a peer cannot take now is dropped.
    ///
    /// A peer is unreachable while libzmq re-establishes its connection, or for good when it is
    /// gone. Either way its session stays: it comes back under the same routing identity and
    /// goes on, or the silence limit forgets it, and its leases run out meanwhile as usual.
    ///
    /// - Returns: whether the message was queued for the peer.
    /// - Throws: `WireError.messageTooLarge` when the message exceeds the maximum frame size.
    @discardableResult
    func send(_ message: WireMessage, to peer: PeerID) throws -> Bool {
        let envelope = WireEnvelope(runID: context.runID, contextDigest: context.digest, message: message)
        return try sendFrame(envelope.encoded(maximumFrameSize: configuration.maximumFrameSize), to: peer)
    }

    func sendFrame(_ frame: [UInt8], to peer: PeerID) throws -> Bool {
        do {
            try socket.send([peer.bytes, frame], timeout: .zero)
        } catch let error as WireError where error.code == .peerUnreachable || error.code == .timeout {
            statistics.undeliveredMessages += 1
            logger.notice(
                "worker unreachable; message dropped",
                ["worker.id": sessions[peer]?.workerID ?? peer.description, "reason": error.code.description])
            return false
        }
        statistics.messagesSent += 1
        statistics.bytesSent += frame.count
        return true
    }

    /// Refuses a peer for a policy reason (version, run, context, job kinds).
    func refuse(_ peer: PeerID, reason: String) throws {
        statistics.refusedPeers += 1
        logger.notice("worker refused", ["worker.id": sessions[peer]?.workerID ?? peer.description, "reason": reason])
        try dismiss(peer, reason: reason)
    }

    /// Drops a peer that sent a malformed frame and ignores it from now on.
    func reject(_ peer: PeerID, problem: String) throws {
        statistics.droppedMessages += 1
        logger.warning(
            "malformed message; ignoring its sender from now on",
            ["worker.id": sessions[peer]?.workerID ?? peer.description, "reason": problem])
        try dismiss(peer, reason: "Malformed message: \(problem)")
    }

    private func dismiss(_ peer: PeerID, reason: String) throws {
        ignoredPeers.insert(peer)
        try send(.refuse(reason: reason), to: peer)
        try forget(peer, reason: reason)
    }

    /// Removes a worker's session and puts the jobs it held back in the queue.
    func forget(_ peer: PeerID, reason: String) throws {
        let workerID = sessions.removeValue(forKey: peer)?.workerID ?? peer.description
        waiting.removeAll { $0 == peer }
        for index in ledger.takeLeases(of: peer) {
            try recordLostAttempt(index, reason: "worker \(workerID): \(reason)")
        }
    }

    /// Counts a lost lease as a failed attempt and re-queues the job, or stops the run.
    func recordLostAttempt(_ index: Int, reason: String) throws {
        switch ledger.recordFailedAttempt(index, reason: reason) {
        case .retry: statistics.redispatchCount += 1
        case .exhausted(let reasons): throw jobFailedError(index, reasons: reasons)
        case .ignored: break
        }
    }

    func jobFailedError(_ index: Int, reasons: [String]) -> WireError {
        let job = ledger.jobs[index]
        return WireError(
            .jobFailed,
            "Job \(job.id) (\(job.kind)) failed \(reasons.count) times; giving up. Last failure: "
                + "\(reasons.last ?? "none").",
            remoteFailures: reasons)
    }

    /// Tells every connected worker the run is over. Best effort: a worker that cannot be
    /// reached will notice on its own when its heartbeats go unanswered.
    ///
    /// - Parameter nextRunFollows: tells workers to reconnect for another run on this endpoint.
    func broadcastShutdown(reason: String, nextRunFollows: Bool = false) {
        for peer in sessions.keys {
            let envelope = WireEnvelope(
                runID: context.runID, contextDigest: context.digest,
                message: .shutdown(reason: reason, nextRunFollows: nextRunFollows))
            guard let frame = try? envelope.encoded() else { continue }
            if (try? socket.send([peer.bytes, frame], timeout: .zero)) != nil {
                statistics.messagesSent += 1
                statistics.bytesSent += frame.count
            }
        }
    }
}
