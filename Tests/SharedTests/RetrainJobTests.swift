import Foundation
import Synchronization
import Testing

@testable import Shared

/// A trained problem with the trainer `mtif select` retrains it with, and requests of every kind.
struct RetrainingSetting: Sendable {
    /// Binary tasks with a conflicting one; small enough that a retraining takes milliseconds.
    static let specification = "synthetic:K=3,n=40,d=5,noise=0.5,shared=0.6,conflicting=1,seed=4,kind=binary"

    let objective: MultitaskObjective
    let start: [Double]
    let trainer: MultitaskTrainer

    /// Linear hard sharing (convex: Newton) or a 3-unit tanh trunk (a network: L-BFGS).
    static let convex = make(.hardSharingLinear)
    static let network = make(.hardSharing(trunk: [HiddenLayer(width: 3, activation: .tanh)]))

    private static func make(_ architecture: ModelArchitecture) -> RetrainingSetting? {
        guard let problem = try? TrainedProblem.make(specification, architecture: architecture, l2: 1e-2) else {
            return nil
        }
        return RetrainingSetting(
            objective: problem.objective, start: problem.parameters, trainer: .retraining(like: nil))
    }

    /// Leave-one-out with each convention, a leave-one-task-out, several examples renormalised,
    /// and a repeat of the first (retrained once, returned twice).
    var requests: [RetrainingRequest] {
        [
            RetrainingRequest(removing: [TrainExample(task: 0, example: 3)]),
            RetrainingRequest(removing: [TrainExample(task: 1, example: 5)], convention: .renormalised),
            .removingTasks([2], of: objective),
            RetrainingRequest(
                removing: [
                    TrainExample(task: 0, example: 1), TrainExample(task: 0, example: 2),
                    TrainExample(task: 1, example: 0),
                ],
                convention: .renormalised),
            RetrainingRequest(removing: [TrainExample(task: 0, example: 3)]),
        ]
    }

    /// What `InProcessRetrainer` gives: the reference.
    func inProcess(_ requests: [RetrainingRequest]) throws -> [TrainedParameters] {
        try InProcessRetrainer(trainer: trainer).retrain(requests, objective: objective, from: start, progress: nil)
    }

    /// The plan's jobs on `workers` in-process workers over loopback, and the scheduler's run.
    func onWorkers(
        _ plan: RetrainingPlan, workers: Int, dataSource: ShardDataSource = .sentWithShards
    ) async throws -> SchedulerRun {
        let context = RunContext(
            blobs: RetrainJob.contextBlobs(objective: objective, start: start, trainer: trainer, dataSource: dataSource)
        )
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", minimumWorkers: workers), context: context,
            jobs: plan.jobs())
        let workerRuns = (0..<workers).map { WireHarness.startWorker(endpoint: endpoint, id: "w\($0)") }
        let outcome = try await run.value()
        for worker in workerRuns { _ = try? await worker.value() }
        return outcome
    }

    /// The decoded results of a run, in request order.
    static func results(of outcome: SchedulerRun, plan: RetrainingPlan) throws -> [TrainedParameters] {
        var results: [Int: TrainedParameters] = [:]
        for (jobID, payload) in outcome.results {
            let (index, trained) = try plan.decode(jobID: jobID, payload: payload)
            results[index] = trained
        }
        return plan.ordered(results)
    }

    /// The input a worker's handler sees for `payload` in this setting's context.
    func jobInput(payload: [UInt8], blobs: [ContextBlob]? = nil) -> JobInput {
        let blobs = blobs ?? RetrainJob.contextBlobs(objective: objective, start: start, trainer: trainer)
        return JobInput(
            jobID: 0, kind: RetrainJob.kind, payload: payload,
            context: WorkerContext(runID: .zero, digest: RunContext(blobs: blobs).digest, blobs: blobs))
    }
}

/// How many parameters differ in their bits between two lists of retrainings, plus how many
/// reports differ: 0 means bit-for-bit equal. A count keeps failure reports short.
func retrainingDifferences(_ a: [TrainedParameters], _ b: [TrainedParameters]) -> Int {
    guard a.count == b.count else { return max(a.count, b.count) }
    return zip(a, b).reduce(0) { count, pair in
        let (x, y) = pair
        guard x.parameters.count == y.parameters.count else { return count + max(x.parameters.count, 1) }
        let parameters = zip(x.parameters, y.parameters).filter { $0.bitPattern != $1.bitPattern }.count
        return count + parameters + (x.report == y.report ? 0 : 1)
    }
}

@Suite("The retrain job: workers retrain exactly as InProcessRetrainer")
struct RetrainJobTests {
    static let handler = RetrainJob.makeHandler(datasets: WorkerDatasets(dataDirectory: DataDirectory(path: "/none")))

    @Test(
        "1 and 2 workers give InProcessRetrainer's parameters bit for bit, for Newton and L-BFGS",
        arguments: [true, false], [1, 2])
    func workersEqualInProcess(isConvex: Bool, workers: Int) async throws {
        let setting = try #require(isConvex ? RetrainingSetting.convex : RetrainingSetting.network)
        let requests = setting.requests
        let plan = try RetrainingPlan(
            requests: requests, objective: setting.objective, start: setting.start, trainer: setting.trainer)
        #expect(plan.distinct.count == requests.count - 1 && plan.jobs().count == plan.distinct.count)

        let outcome = try await setting.onWorkers(plan, workers: workers)
        let pooled = try RetrainingSetting.results(of: outcome, plan: plan)
        let reference = try setting.inProcess(requests)
        #expect(retrainingDifferences(pooled, reference) == 0)
        #expect(pooled.allSatisfy { $0.report.method == (isConvex ? .newton : .adamThenLBFGS) })
        // The retrainings moved away from ŵ: the comparison is not between copies of the start.
        #expect(pooled.allSatisfy { $0.parameters != setting.start })
        #expect(outcome.statistics.jobsPerWorker.count == workers)
    }

    @Test("Workers that load the dataset themselves retrain bit for bit as the coordinator")
    func workersLoadingTheDatasetEqualInProcess() async throws {
        let setting = try #require(RetrainingSetting.network)
        let plan = try RetrainingPlan(
            requests: setting.requests, objective: setting.objective, start: setting.start, trainer: setting.trainer)
        let request = DatasetRequest(
            RetrainingSetting.specification, try CommandArguments([], valueOptions: [], flagOptions: []))
        let source = ShardDataSource.loadedByWorkers(
            request, fingerprint: setting.objective.dataset.fingerprint(), split: .train)
        let blobs = RetrainJob.contextBlobs(
            objective: setting.objective, start: setting.start, trainer: setting.trainer, dataSource: source)
        #expect(!blobs.contains { $0.name == RetrainJob.dataBlobName })

        let outcome = try await setting.onWorkers(plan, workers: 2, dataSource: source)
        #expect(
            retrainingDifferences(
                try RetrainingSetting.results(of: outcome, plan: plan), try setting.inProcess(setting.requests)) == 0)
    }

    @Test("A retraining that stops short comes back once as InProcessRetrainer's TrainingError, not as retries")
    func unconvergedRetrainingIsItsTrainingError() async throws {
        var setting = try #require(RetrainingSetting.network)
        setting = RetrainingSetting(
            objective: setting.objective, start: setting.start,
            trainer: MultitaskTrainer(
                adamLBFGS: AdamLBFGSTrainer(
                    adamSteps: 0,
                    convergence: ConvergenceCriterion(relativeGradientTolerance: 1e-14, maximumIterations: 2))))
        let requests = [RetrainingRequest(removing: [TrainExample(task: 1, example: 2)])]
        let plan = try RetrainingPlan(
            requests: requests, objective: setting.objective, start: setting.start, trainer: setting.trainer)
        let outcome = try await setting.onWorkers(plan, workers: 1)
        #expect(outcome.dispatches.count == 1 && outcome.statistics.reportedFailures == 0)

        var expected: TrainingError?
        do { _ = try setting.inProcess(requests) } catch let error as TrainingError { expected = error }
        let reference = try #require(expected)
        #expect(reference.code == .didNotConverge)
        #expect {
            _ = try RetrainingSetting.results(of: outcome, plan: plan)
        } throws: { error in
            guard let error = error as? TrainingError else { return false }
            return error.code == reference.code && error.message == reference.message
                && error.report == reference.report && error.parameters == reference.parameters
        }
    }

    @Test("Journal keys ignore the iteration cap, which does not change a converged retraining, but not the tolerance")
    func journalKeysIgnoreTheIterationCap() throws {
        let setting = try #require(RetrainingSetting.network)
        let requests = [RetrainingRequest(removing: [TrainExample(task: 1, example: 2)])]
        func keys(tolerance: Double? = nil, cap: Int? = nil) throws -> [WireDigest] {
            let trainer = MultitaskTrainer.retraining(like: nil, relativeTolerance: tolerance, maximumIterations: cap)
            return try RetrainingPlan(
                requests: requests, objective: setting.objective, start: setting.start, trainer: trainer
            )
            .keys
        }
        #expect(try keys(cap: 3) == keys())
        #expect(try keys(cap: 50_000) == keys())
        #expect(try keys(tolerance: 1e-3) != keys())

        let capped = MultitaskTrainer.retraining(like: nil, relativeTolerance: 1e-9, maximumIterations: 2)
        #expect(throws: TrainingError.self) {
            _ = try InProcessRetrainer(trainer: capped).retrain(
                requests, objective: setting.objective, from: setting.start, progress: nil)
        }
        let raised = MultitaskTrainer.retraining(like: nil, relativeTolerance: 1e-9, maximumIterations: 20_000)
        let reference = MultitaskTrainer.retraining(like: nil, relativeTolerance: 1e-9)
        let converged = try InProcessRetrainer(trainer: raised).retrain(
            requests, objective: setting.objective, from: setting.start, progress: nil)
        let byDefault = try InProcessRetrainer(trainer: reference).retrain(
            requests, objective: setting.objective, from: setting.start, progress: nil)
        #expect(converged.map(\.parameters) == byDefault.map(\.parameters))
        #expect(converged.map(\.report.iterations) == byDefault.map(\.report.iterations))
    }

    @Test("Requests outside the objective are refused: by the plan before dispatch, by the worker as invalid payloads")
    func requestsOutsideTheObjectiveAreRefused() throws {
        let setting = try #require(RetrainingSetting.convex)
        let outside = RetrainingRequest(removing: [TrainExample(task: 7, example: 0)])
        #expect(throws: UsageError.self) {
            _ = try RetrainingPlan(
                requests: [outside], objective: setting.objective, start: setting.start, trainer: setting.trainer)
        }
        let count = setting.objective.trainCount(task: 0)
        let cases: [(RetrainingRequest, String)] = [
            (outside, "task 7; the model has 3"),
            (
                RetrainingRequest(removing: [TrainExample(task: 0, example: count)]),
                "example \(count) of task 0, which has \(count)"
            ),
            (
                RetrainingRequest(
                    removing: (0..<count).map { TrainExample(task: 0, example: $0) }, convention: .renormalised),
                "leaves nothing to average"
            ),
        ]
        for (request, message) in cases {
            let input = setting.jobInput(payload: RetrainJob.payload(for: request))
            #expect {
                _ = try Self.handler(input)
            } throws: { error in
                (error as? JobHandlerError)?.kind == .invalidPayload
                    && (error as? JobHandlerError)?.message.contains(message) == true
            }
        }
    }

    @Test("Malformed payloads are refused before anything is allocated or trained")
    func malformedPayloadsAreRefused() throws {
        let setting = try #require(RetrainingSetting.convex)
        let valid = RetrainJob.payload(for: RetrainingRequest(removing: [TrainExample(task: 0, example: 1)]))
        var lyingCount = valid
        lyingCount.replaceSubrange(1..<5, with: [0xFF, 0xFF, 0xFF, 0x7F])
        let payloads: [([UInt8], String)] = [
            ([5] + valid.dropFirst(), "retrain convention"),
            (lyingCount, "retrain removed examples"),
            (valid + [0], "retrain payload"),
            (Array(valid.dropLast(2)), "removed example"),
        ]
        for (payload, field) in payloads {
            #expect {
                _ = try Self.handler(setting.jobInput(payload: payload))
            } throws: { error in
                (error as? WireError)?.code == .malformedMessage
                    && (error as? WireError)?.message.contains(field) == true
            }
        }
    }

    @Test("Results of the wrong size, with non-finite values, of another method or another job are refused")
    func malformedResultsAreRefused() throws {
        let setting = try #require(RetrainingSetting.convex)
        let plan = try RetrainingPlan(
            requests: Array(setting.requests.prefix(2)), objective: setting.objective, start: setting.start,
            trainer: setting.trainer)
        let trained = try setting.inProcess([plan.distinct[0]])[0]
        let P = setting.objective.parameterCount
        func result(_ parameters: [Double], method: TrainingMethod = .newton) -> [UInt8] {
            var report = trained.report
            report.method = method
            return RetrainJob.encodedResult(TrainedParameters(parameters: parameters, report: report))
        }
        #expect(try plan.decode(jobID: 0, payload: result(trained.parameters)).result.parameters == trained.parameters)

        var withNaN = trained.parameters
        withNaN[P / 2] = .nan
        let cases: [(UInt64, [UInt8], String)] = [
            (0, result(Array(trained.parameters.dropLast())), "expected 1×\(P)"),
            (0, result(trained.parameters + [0]), "expected 1×\(P)"),
            (0, result(withNaN), "finite values"),
            (0, result(trained.parameters, method: .adamThenLBFGS), "expected newton"),
            (0, result(trained.parameters) + [0], "retrain result"),
            (2, result(trained.parameters), "retrain job id"),
        ]
        for (jobID, payload, message) in cases {
            #expect {
                _ = try plan.decode(jobID: jobID, payload: payload)
            } throws: { error in
                (error as? WireError)?.code == .malformedMessage
                    && (error as? WireError)?.message.contains(message) == true
            }
        }
    }

    @Test("A context whose weights or data do not fit the model is refused as an invalid payload")
    func mismatchedContextIsRefused() throws {
        let setting = try #require(RetrainingSetting.convex)
        var blobs = RetrainJob.contextBlobs(
            objective: setting.objective, start: setting.start, trainer: setting.trainer)
        let index = try #require(blobs.firstIndex { $0.name == RetrainJob.objectiveBlobName })
        // Task 0's weights one fewer than its examples.
        var writer = WireWriter()
        writer.append((1e-2).bitPattern)
        writer.append(Double(0).bitPattern)
        writer.append(UInt32(3))
        for task in 0..<3 {
            let count = setting.objective.trainCount(task: task) - (task == 0 ? 1 : 0)
            writer.appendBlob(WireMatrix.encode(Matrix(rows: 1, columns: count, repeating: 1)))
        }
        blobs[index] = ContextBlob(name: RetrainJob.objectiveBlobName, bytes: writer.bytes)
        let payload = RetrainJob.payload(for: RetrainingRequest(removing: [TrainExample(task: 0, example: 1)]))
        #expect {
            _ = try Self.handler(setting.jobInput(payload: payload, blobs: blobs))
        } throws: { error in
            (error as? JobHandlerError)?.kind == .invalidPayload
                && (error as? JobHandlerError)?.message.contains("Task 0 has") == true
        }
        let withoutData = blobs.filter { $0.name != RetrainJob.dataBlobName }
        #expect {
            _ = try Self.handler(setting.jobInput(payload: payload, blobs: withoutData))
        } throws: { error in
            (error as? JobHandlerError)?.kind == .missingContext
        }
    }

    @Test(
        "A worker killed with SIGKILL while holding a retraining loses it; the run ends with identical results",
        .enabled(if: WorkerExecutable.url != nil, "mtif-worker is not built: run `swift build` first"))
    func killedWorkerIsReplaced() async throws {
        let executable = try #require(WorkerExecutable.url)
        let setting = try #require(RetrainingSetting.network)
        let requests = (0..<6).map { RetrainingRequest(removing: [TrainExample(task: $0 % 3, example: $0)]) }
        let plan = try RetrainingPlan(
            requests: requests, objective: setting.objective, start: setting.start, trainer: setting.trainer)
        let context = RunContext(
            blobs: RetrainJob.contextBlobs(objective: setting.objective, start: setting.start, trainer: setting.trainer)
        )
        let workers = WorkerProcesses()
        defer { workers.stop() }
        let victimPID = Mutex<Int32>(0)
        let victimDispatches = CallCounter()
        let killed = OnceFlag()
        let victimIsDead = Latch()
        // The victim runs alone and finishes its first retraining; on its second dispatch,
        // holding that job under a lease, it is killed, and the survivor starts.
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", minimumWorkers: 1), context: context,
            jobs: plan.jobs(),
            onDispatch: { event in
                guard event.workerID == "victim" else { return }
                victimDispatches.increment()
                let pid = victimPID.withLock { $0 }
                if victimDispatches.count == 2 && pid > 0 && killed.claim() {
                    kill(pid, SIGKILL)
                    victimIsDead.open()
                }
            })
        try workers.start(id: "victim", endpoint: endpoint, executable: executable)
        victimPID.withLock { $0 = workers.processes["victim"]!.processIdentifier }
        #expect(await victimIsDead.wait(within: .seconds(30)))
        try workers.start(id: "survivor", endpoint: endpoint, executable: executable)

        let outcome = try await run.value()
        #expect(workers.waitForExit("survivor", within: .seconds(5)))
        #expect(
            retrainingDifferences(
                try RetrainingSetting.results(of: outcome, plan: plan), try setting.inProcess(requests)) == 0)
        let victimJobs = outcome.statistics.jobsPerWorker["victim"] ?? 0
        #expect(victimJobs == 1 && outcome.statistics.redispatchCount >= 1 || victimJobs == 2)
        #expect(outcome.statistics.jobsPerWorker["survivor"] == requests.count - victimJobs)
        let victim = try #require(workers.processes["victim"])
        #expect(victim.terminationReason == .uncaughtSignal && victim.terminationStatus == SIGKILL)
    }
}
