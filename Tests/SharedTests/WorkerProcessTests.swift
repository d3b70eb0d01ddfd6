import Foundation
import Synchronization
import Testing

@testable import Shared

/// Finds the built `mtif-worker` executable: next to the test bundle, or in the package's
/// `.build/debug`, walking up from this file to the directory holding Package.swift.
enum WorkerExecutable {
    static let url: URL? = {
        var candidates = [Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                candidates.append(directory.appendingPathComponent(".build/debug"))
                break
            }
            directory.deleteLastPathComponent()
        }
        return candidates.map { $0.appendingPathComponent("mtif-worker") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()
}

/// Worker processes that cannot outlive the test: every one is killed and reaped by `stop`.
final class WorkerProcesses {
    private(set) var processes: [String: Process] = [:]

    /// Starts `mtif-worker` with this process's OpenBLAS core type, so that both compute with
    /// the same kernels.
    func start(id: String, endpoint: String, executable: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--connect", endpoint, "--id", id, "--timeout", "10", "--quiet"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = BLASRuntime.coreName
        environment[BLASCoreTypeCorrection.reexecutionMarker] = nil
        process.environment = environment
        try process.run()
        processes[id] = process
    }

    /// Waits for a process to exit, for at most `timeout`.
    func waitForExit(_ id: String, within timeout: Duration) -> Bool {
        guard let process = processes[id] else { return false }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return !process.isRunning
    }

    func stop() {
        for process in processes.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes.values { process.waitUntilExit() }
    }
}

@Suite("Worker processes: a scheduler in the test and mtif-worker executables")
struct WorkerProcessTests {
    @Test(
        "A worker killed with SIGKILL while holding a job loses it; the other finishes with identical results",
        .enabled(if: WorkerExecutable.url != nil, "mtif-worker is not built: run `swift build` first"))
    func killedWorkerIsReplaced() async throws {
        let executable = try #require(WorkerExecutable.url)
        // Shards of 20 rows, except the victim's third job: 400 rows against 256 vectors of
        // length 1000, about 10⁸ multiply-adds, so the kill sent right after its dispatch lands
        // while the victim is still working on it, even on a loaded machine.
        let problem = DotShardProblem(rowCount: 640, length: 1000, vectorCount: 256, seed: 1400)
        let bounds = [0, 20, 40, 440] + Array(stride(from: 460, through: 640, by: 20))
        let jobs = zip(bounds, bounds.dropFirst()).enumerated().map { index, range in
            JobSpecification(
                id: UInt64(index), kind: DotShardJob.kind,
                payload: DotShardJob.payload(firstRow: range.0, rows: problem.rows.rows(in: range.0..<range.1)))
        }
        let workers = WorkerProcesses()
        defer { workers.stop() }
        let victimPID = Mutex<Int32>(0)
        let victimDispatches = CallCounter()
        let killed = OnceFlag()
        let victimIsDead = Latch()
        // The victim runs alone at first, so that it certainly completes two jobs; on its third
        // dispatch, holding that job under a lease, it is killed and the survivor starts.
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", minimumWorkers: 1), context: problem.context,
            jobs: jobs,
            onDispatch: { event in
                guard event.workerID == "victim" else { return }
                victimDispatches.increment()
                let pid = victimPID.withLock { $0 }
                if victimDispatches.count == 3 && pid > 0 && killed.claim() {
                    kill(pid, SIGKILL)
                    victimIsDead.open()
                }
            })
        try workers.start(id: "victim", endpoint: endpoint, executable: executable)
        victimPID.withLock { $0 = workers.processes["victim"]!.processIdentifier }
        #expect(await victimIsDead.wait(within: .seconds(20)))
        try workers.start(id: "survivor", endpoint: endpoint, executable: executable)

        let outcome = try await run.value()
        #expect(workers.waitForExit("victim", within: .seconds(5)))
        #expect(workers.waitForExit("survivor", within: .seconds(5)))

        #expect(killed.isClaimed)
        #expect(bitDifferences(try problem.assemble(outcome.results), problem.expected) == 0)
        // The expected path: the victim dies holding job 2, whose lease expires. Should a
        // scheduler thread preempted for longer than that job let its result out first, the
        // run must still be right, with the survivor doing the rest.
        let victimJobs = outcome.statistics.jobsPerWorker["victim"] ?? 0
        #expect(victimJobs == 2 && outcome.statistics.redispatchCount >= 1 || victimJobs == 3)
        #expect(outcome.statistics.jobsPerWorker["survivor"] == jobs.count - victimJobs)
        let victim = try #require(workers.processes["victim"])
        #expect(victim.terminationReason == .uncaughtSignal && victim.terminationStatus == SIGKILL)
        let survivor = try #require(workers.processes["survivor"])
        #expect(survivor.terminationReason == .exit && survivor.terminationStatus == 0)
    }
}
