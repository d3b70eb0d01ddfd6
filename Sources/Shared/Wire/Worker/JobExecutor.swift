import Foundation
import Synchronization

/// The worker's compute thread: runs one job handler at a time, away from the I/O thread, and
/// signals each finished job over its own `inproc://` PAIR socket.
///
/// The I/O thread keeps the DEALER to the coordinator and keeps sending heartbeats while a
/// handler runs; it polls the DEALER and its end of the signal pair together, so a finished job
/// is noticed at once. Work and outcomes pass through a lock, never through a socket shared
/// between threads.
///
/// - Important: The PAIR socket used to signal is created, used and closed on the compute
///   thread only. The object holds locks and semaphores, hence `Sendable`. A handler cannot be
///   interrupted: `stop` lets the thread finish its current job and exit, without waiting.
final class JobExecutor: Sendable {
    /// A job and everything needed to run it.
    struct Work: Sendable {
        var input: JobInput
        var handler: JobHandler
    }

    /// How a job ended.
    enum Outcome: Sendable {
        case result(JobResultMessage)
        case failure(JobFailureReport)
    }

    /// What the two threads share; the compute thread holds this, not the executor, so that
    /// releasing the executor stops the thread.
    private final class Shared: Sendable {
        struct State {
            var pending: Work?
            var outcome: Outcome?
            var isStopping = false
            var startFailure: WireError?
        }

        let state = Mutex(State())
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()

    /// Starts the compute thread and waits until its signal socket is connected.
    ///
    /// - Parameters:
    ///   - zeroMQ: the context the I/O thread's signal socket lives in.
    ///   - signalEndpoint: the `inproc://` endpoint the I/O thread has bound a PAIR socket to.
    /// - Throws: `WireError` when the signal socket cannot be made.
    init(zeroMQ: ZeroMQContext, signalEndpoint: String) throws {
        let started = DispatchSemaphore(value: 0)
        let shared = shared
        let thread = Thread { Self.serve(zeroMQ: zeroMQ, endpoint: signalEndpoint, shared: shared, started: started) }
        thread.name = "mtif.worker.compute"
        thread.start()
        started.wait()
        if let failure = shared.state.withLock({ $0.startFailure }) { throw failure }
    }

    /// Hands a job to the compute thread.
    ///
    /// - Precondition: no job is running (the worker asks for one job at a time).
    func submit(_ work: Work) {
        shared.state.withLock {
            precondition($0.pending == nil && $0.outcome == nil, "The compute thread runs one job at a time")
            $0.pending = work
        }
        shared.wakeUp.signal()
    }

    /// The finished job's outcome, once; `nil` while it runs.
    func takeOutcome() -> Outcome? {
        shared.state.withLock { state in
            let outcome = state.outcome
            state.outcome = nil
            return outcome
        }
    }

    /// Lets the thread exit after its current job, if any.
    func stop() {
        shared.state.withLock { $0.isStopping = true }
        shared.wakeUp.signal()
    }

    deinit {
        stop()
    }

    // MARK: - Compute thread

    private static func serve(zeroMQ: ZeroMQContext, endpoint: String, shared: Shared, started: DispatchSemaphore) {
        let signal: ZeroMQSocket
        do {
            signal = try ZeroMQSocket(.pair, context: zeroMQ, linger: .zero)
            try signal.connect(to: endpoint)
        } catch {
            shared.state.withLock { $0.startFailure = error as? WireError ?? WireError(.transport, "\(error)") }
            started.signal()
            return
        }
        started.signal()
        while true {
            shared.wakeUp.wait()
            guard let work = shared.state.withLock({ $0.isStopping ? nil : $0.pending }) else { return }
            let outcome = run(work)
            shared.state.withLock {
                $0.pending = nil
                $0.outcome = outcome
            }
            // The I/O thread may be gone (shutdown during a long job); then nobody needs the signal.
            try? signal.send([[]], timeout: .zero)
        }
    }

    private static func run(_ work: Work) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let payload = try work.handler(work.input)
            return .result(JobResultMessage(jobID: work.input.jobID, computeTime: clock.now - start, payload: payload))
        } catch {
            let (kind, message) = JobHandlerError.wireFailure(for: error)
            return .failure(JobFailureReport(jobID: work.input.jobID, kind: kind, message: message))
        }
    }
}
