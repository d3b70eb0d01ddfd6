/// What a run cost and what went wrong along the way.
public struct SchedulerStatistics: Sendable {
    /// Jobs in the run, including those already complete when it started.
    public var jobCount = 0
    /// Jobs given as complete (resume) and never dispatched.
    public var skippedJobs = 0
    /// Results accepted.
    public var completedJobs = 0
    /// Assignments sent, first dispatches and re-dispatches alike.
    public var dispatchCount = 0
    /// Jobs put back in the queue after a lease expired or a worker was lost.
    public var redispatchCount = 0
    /// Results that arrived for jobs already complete, and were ignored.
    public var duplicateResults = 0
    /// Failures workers reported.
    public var reportedFailures = 0
    /// Workers accepted with a welcome.
    public var workersJoined = 0
    /// Peers refused: wrong protocol version, run, context or job kinds.
    public var refusedPeers = 0
    /// Frames dropped: malformed, oversized, or from a refused peer.
    public var droppedMessages = 0
    /// Messages to workers dropped because the worker was unreachable (reconnecting, or gone).
    public var undeliveredMessages = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var messagesSent = 0
    public var messagesReceived = 0
    /// Accepted results per worker id.
    public var jobsPerWorker: [String: Int] = [:]
    /// The workers' compute time, summed over accepted results.
    public var totalComputeTime: Duration = .zero
    /// Round trip minus the worker's compute time, summed over accepted results.
    public var totalDispatchOverhead: Duration = .zero
    /// The largest single dispatch overhead.
    public var maximumDispatchOverhead: Duration = .zero
    /// The ZAP handler's decisions, when CURVE is on.
    public var authentication: ZAPAuthenticator.Statistics?
    /// Wall time of `run()`.
    public var elapsed: Duration = .zero

    /// The mean dispatch overhead per accepted result: transfer, queueing and scheduling time.
    public var meanDispatchOverhead: Duration {
        completedJobs > 0 ? totalDispatchOverhead / completedJobs : .zero
    }

    mutating func recordOverhead(roundTrip: Duration, computeTime: Duration) {
        totalComputeTime += computeTime
        let overhead = max(.zero, roundTrip - computeTime)
        totalDispatchOverhead += overhead
        maximumDispatchOverhead = max(maximumDispatchOverhead, overhead)
    }
}

extension Duration {
    /// The duration in seconds, for logs and reports.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
