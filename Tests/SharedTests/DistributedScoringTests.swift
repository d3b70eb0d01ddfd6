import Testing

@testable import Shared

@Suite("Distributed scoring equals the single-process engine bit for bit")
struct DistributedScoringTests {
    /// A shared-inputs problem (one shard scores every task) and a disjoint one.
    static let specifications = [
        "synthetic:K=3,n=40,d=5,noise=0.5,shared=0.6,conflicting=1,seed=4,kind=binary",
        "digits:pairs=0-1/2-3",
    ]

    static func problem(_ specification: String) throws -> TrainedProblem {
        try TrainedProblem.make(
            specification, architecture: .hardSharing(trunk: [HiddenLayer(width: 3, activation: .tanh)]), l2: 1e-2,
            dataDirectory: RealData.directory.path)
    }

    /// Runs the prepared scoring on `workers` in-process workers and assembles the scores.
    static func distributedScores(
        _ prepared: PreparedScoring, workers: Int, dataSource: ShardDataSource = .sentWithShards
    ) async throws -> InfluenceScores {
        let context = RunContext(
            blobs: ScoreShardJob.contextBlobs(
                model: prepared.objective.model, parameters: prepared.parameters, context: prepared.context,
                dataSource: dataSource))
        let jobs = ScoreShardJob.jobs(plan: prepared.plan, objective: prepared.objective, dataSource: dataSource)
        let (endpoint, run) = try WireHarness.startScheduler(
            WireHarness.configuration(endpoint: "tcp://127.0.0.1:0"), context: context, jobs: jobs)
        let handlers = JobHandlerRegistry.standard(dataDirectory: DataDirectory(path: RealData.directory.path))
        let workerRuns = (0..<workers).map {
            WireHarness.startWorker(endpoint: endpoint, id: "w\($0)", handlers: handlers)
        }
        let outcome = try await run.value()
        for worker in workerRuns { _ = try? await worker.value() }
        var assembler = prepared.makeAssembler()
        for (_, payload) in outcome.results {
            let (shard, blocks) = try ScoreShardJob.decodeResult(payload, queryCount: prepared.queries.count)
            assembler.insert(blocks, for: shard)
        }
        return assembler.scores
    }

    @Test(
        "1, 2 and 4 workers and several shard sizes reproduce the engine's scores exactly",
        .enabled(if: RealData.hasDigits), arguments: specifications, [(1, 7), (2, 32), (4, 500)])
    func workersReproduceEngine(specification: String, setup: (workers: Int, shardSize: Int)) async throws {
        let problem = try Self.problem(specification)
        let configuration = InfluenceConfiguration(queries: .examples, shardSize: setup.shardSize)
        let local = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: configuration)
        let prepared = try InfluenceEngine.prepare(
            objective: problem.objective, parameters: problem.parameters, configuration: configuration)
        let distributed = try await Self.distributedScores(prepared, workers: setup.workers)
        #expect(bitDifferences(distributed.values, local.scores.values) == 0)
    }

    /// The dataset request `TrainedProblem.make` loads: the built-in with default options.
    static func loadedByWorkers(_ specification: String, problem: TrainedProblem) throws -> ShardDataSource {
        let request = DatasetRequest(specification, try CommandArguments([], valueOptions: [], flagOptions: []))
        return .loadedByWorkers(request, fingerprint: problem.objective.dataset.fingerprint(), split: .train)
    }

    @Test(
        "Workers that load the dataset themselves reproduce the engine's scores exactly",
        .enabled(if: RealData.hasDigits), arguments: specifications)
    func workersLoadingTheDatasetReproduceEngine(specification: String) async throws {
        let problem = try Self.problem(specification)
        let configuration = InfluenceConfiguration(queries: .examples, shardSize: 16)
        let local = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: configuration)
        let prepared = try InfluenceEngine.prepare(
            objective: problem.objective, parameters: problem.parameters, configuration: configuration)
        let source = try Self.loadedByWorkers(specification, problem: problem)
        let distributed = try await Self.distributedScores(prepared, workers: 2, dataSource: source)
        #expect(bitDifferences(distributed.values, local.scores.values) == 0)
        // The payloads carry the shard's position and a mode byte only.
        let jobs = ScoreShardJob.jobs(plan: prepared.plan, objective: problem.objective, dataSource: source)
        #expect(jobs.allSatisfy { $0.payload.count <= 4 + 4 * 4 + 16 + 1 })
    }

    @Test("A worker whose copy of the dataset has another fingerprint refuses the shard and says why")
    func workerWithOtherDataRefuses() throws {
        let problem = try Self.problem(Self.specifications[0])
        let prepared = try InfluenceEngine.prepare(
            objective: problem.objective, parameters: problem.parameters, configuration: .init())
        guard
            case .loadedByWorkers(let request, _, _) = try Self.loadedByWorkers(
                Self.specifications[0], problem: problem)
        else { return }
        let source = ShardDataSource.loadedByWorkers(
            request, fingerprint: String(repeating: "0", count: 64), split: .train)
        let blobs = ScoreShardJob.contextBlobs(
            model: problem.objective.model, parameters: problem.parameters, context: prepared.context,
            dataSource: source)
        let job = ScoreShardJob.jobs(plan: prepared.plan, objective: problem.objective, dataSource: source)[0]
        let input = JobInput(
            jobID: 0, kind: ScoreShardJob.kind, payload: job.payload,
            context: WorkerContext(runID: .zero, digest: RunContext(blobs: blobs).digest, blobs: blobs))
        #expect {
            _ = try ScoreShardJob.makeHandler(datasets: WorkerDatasets(dataDirectory: DataDirectory(path: "/none")))(
                input)
        } throws: { error in
            (error as? JobHandlerError)?.message.contains("the coordinator's has 0000") == true
        }
    }

    @Test("A shard whose inputs do not match the model is refused as an invalid payload")
    func mismatchedShardIsRefused() throws {
        let problem = try Self.problem(Self.specifications[0])
        let prepared = try InfluenceEngine.prepare(
            objective: problem.objective, parameters: problem.parameters, configuration: .init())
        let blobs = ScoreShardJob.contextBlobs(
            model: problem.objective.model, parameters: problem.parameters, context: prepared.context)
        var writer = WireWriter()
        ScoreShardJob.appendHeader(ScoreShard(tasks: [0], examples: 0..<2), to: &writer)
        writer.append(UInt8(0))
        writer.appendBlob(WireMatrix.encode(Matrix(rows: 2, columns: 99, repeating: 1)))
        writer.appendBlob(WireMatrix.encode(Matrix(rows: 1, columns: 2, repeating: 1)))
        let input = JobInput(
            jobID: 0, kind: ScoreShardJob.kind, payload: writer.bytes,
            context: WorkerContext(runID: .zero, digest: RunContext(blobs: blobs).digest, blobs: blobs))
        #expect {
            _ = try ScoreShardJob.makeHandler(datasets: WorkerDatasets(dataDirectory: DataDirectory(path: "/none")))(
                input)
        } throws: { error in
            (error as? JobHandlerError)?.kind == .invalidPayload
        }
    }
}
