import Testing

@testable import Shared

@Suite("Job ledger: queue, leases, completion and attempts")
struct JobLedgerTests {
    static let lease = Duration.milliseconds(100)
    let start = ContinuousClock.now
    let alice = PeerID(bytes: [1])
    let bob = PeerID(bytes: [2])

    func ledger(jobs: Int = 3, completed: Set<UInt64> = [], attempts: Int = 3) -> JobLedger {
        JobLedger(
            jobs: (0..<UInt64(jobs)).map { JobSpecification(id: $0 + 10, kind: "k", payload: []) },
            completedIDs: completed, maximumAttempts: attempts)
    }

    @Test("Jobs are handed out in order, each once, and completed jobs are skipped")
    func handsOutEachJobOnce() {
        var ledger = ledger(jobs: 4, completed: [11])
        #expect(ledger.remaining == 3)
        var taken: [Int] = []
        while let index = ledger.takeNext() {
            taken.append(index)
            ledger.lease(index, to: alice, at: start, for: Self.lease)
        }
        #expect(taken == [0, 2, 3])
    }

    @Test("An expired lease puts the job back ahead of fresh jobs; a renewed one does not expire")
    func expiryRequeuesAheadOfFreshJobs() {
        var ledger = ledger()
        let first = ledger.takeNext()!
        ledger.lease(first, to: alice, at: start, for: Self.lease)
        let second = ledger.takeNext()!
        ledger.lease(second, to: bob, at: start, for: Self.lease)
        let renewedByHolder = ledger.renew(
            second, by: bob, at: start + .milliseconds(80), for: Self.lease, timeLimit: nil)
        let renewedByOther = ledger.renew(
            first, by: bob, at: start + .milliseconds(80), for: Self.lease, timeLimit: nil)
        #expect(renewedByHolder && !renewedByOther)

        let expired = ledger.takeExpiredLeases(at: start + .milliseconds(120))
        #expect(expired.map(\.index) == [first] && expired[0].lease.peer == alice)
        let outcome = ledger.recordFailedAttempt(first, reason: "lost")
        #expect(outcome == .retry(attempts: 1))
        let next = ledger.takeNext()
        #expect(next == first)
        #expect(ledger.nextDeadline == start + .milliseconds(180))
    }

    @Test("A released lease puts the job back ahead of fresh jobs without counting an attempt")
    func releaseRequeuesWithoutAttempt() {
        var ledger = ledger()
        let first = ledger.takeNext()!
        ledger.lease(first, to: alice, at: start, for: Self.lease)
        #expect(ledger.holdsLease(alice) && !ledger.holdsLease(bob))

        ledger.release(first)
        #expect(!ledger.holdsLease(alice) && ledger.nextDeadline == nil)
        #expect(ledger.takeNext() == first && ledger.failedAttempts(first) == 0)
    }

    @Test("A renewal past the job time limit is refused")
    func timeLimitStopsRenewal() {
        var ledger = ledger()
        let index = ledger.takeNext()!
        ledger.lease(index, to: alice, at: start, for: Self.lease)
        let limit = Duration.milliseconds(60)
        let early = ledger.renew(index, by: alice, at: start + .milliseconds(50), for: Self.lease, timeLimit: limit)
        let late = ledger.renew(index, by: alice, at: start + .milliseconds(70), for: Self.lease, timeLimit: limit)
        #expect(early && !late)
    }

    @Test("The first result completes a job; later ones are duplicates; unknown ids are reported")
    func firstResultWins() {
        var ledger = ledger()
        let index = ledger.takeNext()!
        ledger.lease(index, to: alice, at: start, for: Self.lease)
        let first = ledger.complete(10)
        let second = ledger.complete(10)
        let unknown = ledger.complete(99)
        guard case .accepted(let accepted, let lease) = first, case .duplicate = second, case .unknown = unknown else {
            Issue.record("expected accepted, duplicate, unknown; got \(first), \(second), \(unknown)")
            return
        }
        #expect(accepted == index && lease?.peer == alice)
        #expect(ledger.remaining == 2 && ledger.leases.isEmpty)
        let lateFailure = ledger.recordFailedAttempt(index, reason: "late failure", holder: alice)
        #expect(lateFailure == .ignored)
    }

    @Test("A failure from a peer that no longer holds the lease does not count or take the lease away")
    func staleFailureIgnored() {
        var ledger = ledger()
        let index = ledger.takeNext()!
        ledger.lease(index, to: alice, at: start, for: Self.lease)
        _ = ledger.takeExpiredLeases(at: start + Self.lease)
        _ = ledger.recordFailedAttempt(index, reason: "alice lost it")
        let next = ledger.takeNext()
        #expect(next == index)
        ledger.lease(index, to: bob, at: start + Self.lease, for: Self.lease)
        let stale = ledger.recordFailedAttempt(index, reason: "alice, too late", holder: alice)
        #expect(stale == .ignored)
        #expect(ledger.leases[index]?.peer == bob && ledger.failedAttempts(index) == 1)
    }

    @Test("A job that fails the maximum number of times is exhausted with every reason")
    func exhaustionAfterMaximumAttempts() {
        var ledger = ledger(attempts: 2)
        let index = ledger.takeNext()!
        ledger.lease(index, to: alice, at: start, for: Self.lease)
        let firstFailure = ledger.recordFailedAttempt(index, reason: "one", holder: alice)
        let next = ledger.takeNext()
        ledger.lease(index, to: bob, at: start, for: Self.lease)
        let lost = ledger.takeLeases(of: bob)
        let secondFailure = ledger.recordFailedAttempt(index, reason: "two")
        #expect(firstFailure == .retry(attempts: 1) && next == index && lost == [index])
        #expect(secondFailure == .exhausted(reasons: ["one", "two"]))
    }
}
