/// The identity of a connected peer: the routing identity its ROUTER assigned.
struct PeerID: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    var description: String { bytes.hexadecimal }
}

/// The scheduler's book of jobs: which wait in the queue, which are leased to whom until when,
/// which are complete, and how often each has failed. Pure state with no sockets and no clock
/// of its own, so every transition can be tested by passing instants.
///
/// A job is in exactly one of three places: the queue, a lease, or complete. Jobs that come
/// back (an expired lease, a reported failure, a lost worker) join a retry queue that is served
/// before fresh jobs, so that a run does not end waiting on one straggler dispatched last.
struct JobLedger {
    typealias Instant = ContinuousClock.Instant

    struct Lease {
        var peer: PeerID
        var deadline: Instant
        var dispatchedAt: Instant
    }

    /// The outcome of a result for a job id.
    enum Completion {
        /// First result: the job is complete now. `lease` is the live lease it had, if any.
        case accepted(index: Int, lease: Lease?)
        /// The job was already complete: ignore the result.
        case duplicate
        /// No job of this run has this id.
        case unknown
    }

    /// The outcome of a failed attempt.
    enum AttemptOutcome: Equatable {
        /// The job is back in the queue after `attempts` failed attempts.
        case retry(attempts: Int)
        /// The job failed `maximumAttempts` times; these are the reasons, oldest first.
        case exhausted(reasons: [String])
        /// The job was already complete; nothing changes.
        case ignored
    }

    let jobs: [JobSpecification]
    let maximumAttempts: Int
    private let indexByID: [UInt64: Int]
    private var isComplete: [Bool]
    private var failureReasons: [[String]]
    private(set) var leases: [Int: Lease] = [:]
    private var fresh: [Int]
    private var freshHead = 0
    private var retries: [Int] = []
    private var retryHead = 0
    private(set) var remaining: Int

    /// - Precondition: job ids are unique.
    init(jobs: [JobSpecification], completedIDs: Set<UInt64>, maximumAttempts: Int) {
        self.jobs = jobs
        self.maximumAttempts = maximumAttempts
        indexByID = Dictionary(jobs.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        precondition(indexByID.count == jobs.count, "Job ids must be unique within a run")
        let isComplete = jobs.map { completedIDs.contains($0.id) }
        self.isComplete = isComplete
        failureReasons = Array(repeating: [], count: jobs.count)
        fresh = jobs.indices.filter { !isComplete[$0] }
        remaining = fresh.count
    }

    func index(of jobID: UInt64) -> Int? { indexByID[jobID] }

    func failedAttempts(_ index: Int) -> Int { failureReasons[index].count }

    /// The earliest lease deadline, when the scheduler must look again.
    var nextDeadline: Instant? { leases.values.map(\.deadline).min() }

    /// Takes the next job to dispatch: retries first, then fresh jobs, skipping any that a
    /// late result completed while it waited.
    mutating func takeNext() -> Int? {
        while retryHead < retries.count {
            let index = retries[retryHead]
            retryHead += 1
            if !isComplete[index] && leases[index] == nil { return index }
        }
        while freshHead < fresh.count {
            let index = fresh[freshHead]
            freshHead += 1
            if !isComplete[index] && leases[index] == nil { return index }
        }
        return nil
    }

    mutating func lease(_ index: Int, to peer: PeerID, at now: Instant, for duration: Duration) {
        leases[index] = Lease(peer: peer, deadline: now + duration, dispatchedAt: now)
    }

    /// Extends the lease of `index` if `peer` holds it and the attempt is within `timeLimit`.
    ///
    /// - Returns: whether the lease was renewed.
    mutating func renew(
        _ index: Int, by peer: PeerID, at now: Instant, for duration: Duration, timeLimit: Duration?
    )
        -> Bool
    {
        guard var lease = leases[index], lease.peer == peer else { return false }
        if let timeLimit, now - lease.dispatchedAt >= timeLimit { return false }
        lease.deadline = now + duration
        leases[index] = lease
        return true
    }

    /// Removes every lease whose deadline has passed, without re-queueing: the caller records
    /// each as a failed attempt.
    mutating func takeExpiredLeases(at now: Instant) -> [(index: Int, lease: Lease)] {
        let expired = leases.filter { $0.value.deadline <= now }.sorted { $0.key < $1.key }
        for (index, _) in expired { leases[index] = nil }
        return expired.map { (index: $0.key, lease: $0.value) }
    }

    /// Whether `peer` holds a lease on any job.
    ///
    /// - Complexity: O(leases), at most one per worker.
    func holdsLease(_ peer: PeerID) -> Bool {
        leases.values.contains { $0.peer == peer }
    }

    /// Takes back the lease of `index` when its assignment never left (the worker was
    /// unreachable) and queues the job again ahead of fresh jobs, without counting an attempt.
    mutating func release(_ index: Int) {
        guard leases.removeValue(forKey: index) != nil else { return }
        retries.append(index)
    }

    /// Removes the leases `peer` holds (the worker is gone), without re-queueing.
    mutating func takeLeases(of peer: PeerID) -> [Int] {
        let held = leases.filter { $0.value.peer == peer }.map(\.key).sorted()
        for index in held { leases[index] = nil }
        return held
    }

    /// Records a result for `jobID`; the first one completes the job.
    mutating func complete(_ jobID: UInt64) -> Completion {
        guard let index = indexByID[jobID] else { return .unknown }
        guard !isComplete[index] else { return .duplicate }
        isComplete[index] = true
        remaining -= 1
        return .accepted(index: index, lease: leases.removeValue(forKey: index))
    }

    /// Records a failed attempt at `index` and re-queues the job unless it ran out of attempts.
    ///
    /// - Parameters:
    ///   - index: the job.
    ///   - reason: what happened, naming the worker.
    ///   - holder: the peer reporting the failure, or `nil` when the caller already took the
    ///     lease away (expiry, lost worker). A report counts only while `holder` holds the live
    ///     lease: a failure reported after the lease expired was already counted then, and must
    ///     not take a newer holder's lease away.
    mutating func recordFailedAttempt(_ index: Int, reason: String, holder: PeerID? = nil) -> AttemptOutcome {
        guard !isComplete[index] else { return .ignored }
        if let holder {
            guard let lease = leases[index], lease.peer == holder else { return .ignored }
            leases[index] = nil
        }
        failureReasons[index].append(reason)
        guard failureReasons[index].count < maximumAttempts else {
            return .exhausted(reasons: failureReasons[index])
        }
        retries.append(index)
        return .retry(attempts: failureReasons[index].count)
    }
}
