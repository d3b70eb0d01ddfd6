import Foundation
import Shared

/// `mtif cluster check`: proves a set of workers computes what this process computes.
enum ClusterCommand {
    static let check = Subcommand(
        name: "cluster check",
        summary: "Distribute a random product over workers and compare it with the local one, bit for bit",
        help: """
            Usage: mtif cluster check [--workers N] [--external K] [--bind ENDPOINT]
                       [--rows N] [--columns P] [--vectors Q] [--shard S] [--lease-ms MS] [--seed S]
                       [--key SECRET_FILE --authorized-keys FILE]

            Runs `dot-shard` jobs (shards of a random N×P matrix times Q vectors) on workers and
            checks that the assembled N×Q product equals the one computed here. Use it to check
            a cluster, its keys and its network before a long run, and to measure dispatch cost.

              --workers N          local worker processes to start (default 2)
              --external K         also wait for K workers started elsewhere with
                                   `mtif-worker --connect ENDPOINT` (default 0)
              --bind ENDPOINT      where workers connect (default tcp://127.0.0.1:0, a free port)
              --rows, --columns, --vectors, --shard   problem size (default 4000, 500, 16, 100)
              --lease-ms MS        job lease (default 5000)
              --key FILE           the coordinator's CURVE secret key; turns on CURVE
              --authorized-keys F  workers' public keys, one per line (local workers get a
                                   temporary key of their own)

            The result is identical when every worker uses the coordinator's OpenBLAS core
            type; workers on other CPUs differ in the last bits, which is reported, not failed.

            Example:
              mtif cluster check --workers 2 --rows 20000 --shard 500
            """,
        valueOptions: WorkerPoolOptions.valueOptions.union(["rows", "columns", "vectors", "shard", "seed"]),
        flagOptions: [],
        run: { try ClusterCheck(arguments: $0).run() })
}

/// One `cluster check` run.
struct ClusterCheck {
    /// Differences between BLAS kernels are rounding: a few ulps of sums of P products of
    /// standard normals, far below this relative bound.
    static let roundingTolerance = 1e-10

    let pool: WorkerPoolOptions
    let rows: Matrix
    let vectors: Matrix
    let shardSize: Int
    let logger = Logger(label: "coordinator")

    init(arguments: CommandArguments) throws {
        pool = try WorkerPoolOptions(arguments, defaultLocalWorkers: 2)
        let (n, p, q) = try (
            arguments.integer("rows", default: 4000), arguments.integer("columns", default: 500),
            arguments.integer("vectors", default: 16)
        )
        shardSize = try arguments.integer("shard", default: 100)
        guard pool.isDistributed, n > 0, p > 0, q > 0, shardSize > 0 else {
            throw UsageError("Sizes must be positive and at least one worker is needed (--workers or --external).")
        }
        var generator = SeededGenerator(seed: UInt64(try arguments.integer("seed", default: 1)))
        rows = Matrix(rows: n, columns: p, elements: (0..<(n * p)).map { _ in generator.nextNormal() })
        vectors = Matrix(rows: q, columns: p, elements: (0..<(q * p)).map { _ in generator.nextNormal() })
    }

    func run() throws {
        let context = RunContext(blobs: [DotShardJob.contextBlob(vectors: vectors)])
        let jobs = DotShardJob.jobs(rows: rows, shardSize: shardSize)
        var assembly = DotShardAssembly(rowCount: rows.rows, vectorCount: vectors.rows)
        let statistics = try pool.run(context: context, jobs: jobs, completed: [], logger: logger) {
            try assembly.insert($0.payload)
        }
        report(statistics, jobs: jobs.count, product: assembly.product)
    }

    private func report(_ statistics: SchedulerStatistics, jobs: Int, product: Matrix) {
        let clock = ContinuousClock()
        let start = clock.now
        let expected = DotShardJob.product(rows: rows, vectors: vectors)
        let localTime = clock.now - start
        let identical = product.elements.map(\.bitPattern) == expected.elements.map(\.bitPattern)
        let scale = expected.elements.map(abs).max() ?? 1
        let difference = product.maxAbsoluteDifference(to: expected)
        let perWorker = statistics.jobsPerWorker.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        print(
            "jobs                 \(jobs) (shards of \(shardSize) rows × \(rows.columns) columns, \(vectors.rows) vectors)"
        )
        print(
            "workers              \(pool.localWorkers) local, \(pool.externalWorkers) external\(pool.security == nil ? "" : ", CURVE")"
        )
        print(String(format: "seconds              %.3f", statistics.elapsed.inSeconds))
        print(
            String(
                format: "compute seconds      %.3f on workers, %.3f for the same product here",
                statistics.totalComputeTime.inSeconds, localTime.inSeconds))
        print(
            String(
                format: "sent / received      %.1f MB / %.1f MB", Double(statistics.bytesSent) / 1e6,
                Double(statistics.bytesReceived) / 1e6))
        print(
            String(
                format: "dispatch overhead    mean %.3f ms, max %.3f ms",
                statistics.meanDispatchOverhead.inSeconds * 1e3, statistics.maximumDispatchOverhead.inSeconds * 1e3))
        print("re-dispatches        \(statistics.redispatchCount)")
        print("jobs per worker      \(perWorker.joined(separator: " "))")
        if identical {
            print("result               identical to the local product, bit for bit")
        } else {
            print("result               differs by at most \(difference) (largest entry \(scale))")
        }
    }

}
