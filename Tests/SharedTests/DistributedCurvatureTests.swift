import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite("Distributed curvature products: curvature-shard jobs summed over workers equal the local operator")
struct DistributedCurvatureTests {
    /// Products differ from the local operator's only in the order of their sums: a few ulps
    /// of the largest terms, far below 1e-12 relative for these well-scaled problems.
    static let productTolerance = 1e-12
    /// CG stops at relative residual 1e-12 here, so its solution is within κ·1e-12 of the dense
    /// solve; 1e-8 leaves room for condition numbers up to 10⁴.
    static let solveTolerance = 1e-8

    static func problem() throws -> TrainedProblem {
        try TrainedProblem.make(
            "synthetic:K=3,n=40,d=5,noise=0.5,shared=0.6,conflicting=1,seed=4,kind=binary",
            architecture: .hardSharing(trunk: [HiddenLayer(width: 3, activation: .tanh)]), l2: 1e-2)
    }

    /// ‖a − b‖_max / ‖b‖_max.
    static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        let scale = b.elements.map(abs).max() ?? 0
        return zip(a.elements, b.elements).map { abs($0 - $1) }.max()! / scale
    }

    /// Creates a scheduler for rounds on its own thread, starts `workers` in-process workers,
    /// and runs `body` with a distributed operator on that thread.
    static func onWorkers<Value: Sendable>(
        _ workers: Int, problem: TrainedProblem, curvature: Curvature,
        _ body: @escaping @Sendable (DistributedCurvatureOperator) throws -> Value
    ) async throws -> (Value, SchedulerStatistics) {
        let objective = problem.objective
        let context = try CurvatureShardJob.runContext(
            model: objective.model, parameters: problem.parameters, curvature: curvature)
        let endpoint = Mutex<String?>(nil)
        let bound = Latch()
        let run = ThreadOutcome("test.curvature.coordinator") {
            let scheduler = try JobScheduler(
                configuration: WireHarness.configuration(endpoint: "tcp://127.0.0.1:0", minimumWorkers: workers),
                context: context, roundJobKinds: [CurvatureShardJob.kind], logger: Logger(label: "test.scheduler"))
            endpoint.withLock { $0 = scheduler.endpoint }
            bound.open()
            let value = try body(
                DistributedCurvatureOperator(
                    objective: objective, curvature: curvature, shardSize: 7, scheduler: scheduler))
            return (value, scheduler.finish())
        }
        #expect(await bound.wait(within: .seconds(10)))
        let address = try #require(endpoint.withLock { $0 })
        let workerRuns = (0..<workers).map { WireHarness.startWorker(endpoint: address, id: "w\($0)") }
        let outcome = try await run.value()
        for worker in workerRuns { _ = try await worker.value() }
        return outcome
    }

    @Test(
        "Products of Hessian and Gauss–Newton on two workers equal CurvatureOperator's to 1e-12",
        arguments: Curvature.allCases)
    func productsEqualLocalOperator(curvature: Curvature) async throws {
        let problem = try Self.problem()
        let directions = RandomMatrices.normal(rows: 3, columns: problem.objective.parameterCount, seed: 77)
        let local = CurvatureOperator(
            objective: problem.objective, parameters: problem.parameters, curvature: curvature
        )
        .apply(toRows: directions)
        let (distributed, statistics) = try await Self.onWorkers(2, problem: problem, curvature: curvature) {
            [try $0.apply(toRows: directions), try $0.apply(toRows: directions)]
        }
        #expect(Self.relativeDifference(distributed[0], local) < Self.productTolerance)
        #expect(bitDifferences(distributed[0], distributed[1]) == 0)
        #expect(statistics.completedJobs == statistics.jobCount && statistics.jobCount >= 2 * 6)
    }

    @Test("Conjugate gradient over distributed products equals the dense solve to 1e-8")
    func distributedSolveEqualsDense() async throws {
        let problem = try Self.problem()
        let objective = problem.objective
        let gradients = try InfluenceEngine.queryGradients(
            objective: objective, parameters: problem.parameters,
            queries: InfluenceEngine.queries(for: objective, selection: .tasks))
        let configuration = InfluenceConfiguration(
            solver: .dense, curvature: .gaussNewton, damping: 1e-3,
            iterative: IterativeSolveConfiguration(tolerance: 1e-12))
        let dense = try InfluenceEngine.solve(
            objective: objective, parameters: problem.parameters, rightHandSides: gradients,
            configuration: configuration)
        var cgConfiguration = configuration
        cgConfiguration.solver = .conjugateGradient
        let cg = cgConfiguration
        let (solved, _) = try await Self.onWorkers(2, problem: problem, curvature: .gaussNewton) {
            let products = try InfluenceEngine.solve(
                objective: objective, parameters: problem.parameters, rightHandSides: gradients,
                configuration: cg, productOperator: $0)
            return (products, $0.roundCount)
        }
        #expect(Self.relativeDifference(solved.0.vectors, dense.vectors) < Self.solveTolerance)
        #expect(solved.1 == solved.0.report.iterations.max()! + 1)
    }

    @Test("A curvature-shard payload whose directions do not fit the model is refused as invalid")
    func mismatchedDirectionsAreRefused() throws {
        let problem = try Self.problem()
        let context = try CurvatureShardJob.runContext(
            model: problem.objective.model, parameters: problem.parameters, curvature: .hessian)
        let shard = ScoreShard.plan(for: problem.objective, size: 7)[0]
        let payload =
            CurvatureShardJob.shardPayload(shard, objective: problem.objective)
            + CurvatureShardJob.directionsBlob(Matrix(rows: 1, columns: 3, repeating: 1))
        let input = JobInput(
            jobID: 0, kind: CurvatureShardJob.kind, payload: payload,
            context: WorkerContext(runID: context.runID, digest: context.digest, blobs: context.blobs))
        #expect {
            _ = try CurvatureShardJob.makeHandler(
                datasets: WorkerDatasets(dataDirectory: DataDirectory(path: "/none")))(input)
        } throws: { error in
            (error as? JobHandlerError)?.kind == .invalidPayload
        }
    }
}
