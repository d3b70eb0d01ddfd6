import Foundation
import Shared

/// `mtif doctor`: what this machine gives mtif (BLAS kernels, threads, CPU tier, GEMM rate).
enum SystemCommand {
    static let doctor = Subcommand(
        name: "doctor",
        summary: "Show the BLAS kernels, threads and CPU features mtif runs with; time a GEMM",
        help: """
            Usage: mtif doctor [--benchmark] [--size N] [--repeat R] [--export]

            Prints the OpenBLAS core type in use, whether mtif re-executed itself to get it, the
            CPU's instruction tier and the BLAS thread count.

              --benchmark   time R products of two N×N matrices (default N=2000, R=5) and print
                            the best rate in GFLOP/s, counting 2·N³ operations per product
              --export      print only a shell line that gives other programs the same kernels,
                            e.g. `export OPENBLAS_CORETYPE=SkylakeX` (empty if none is needed)

            Example:
              mtif doctor --benchmark --size 2000
            """,
        valueOptions: ["size", "repeat"],
        flagOptions: ["benchmark", "export"],
        run: { arguments in
            if arguments.isSet("export") {
                printExportLine()
                return
            }
            printKernels()
            if arguments.isSet("benchmark") {
                let size = try arguments.integer("size", default: 2000)
                let repeats = try arguments.integer("repeat", default: 5)
                guard size > 0, repeats > 0 else { throw UsageError("--size and --repeat must be positive.") }
                print(String(format: "gemm.gflops          %.2f", benchmarkMatrixProduct(size: size, repeats: repeats)))
            }
        })

    private static func printKernels() {
        let tier = BLASCoreTypeCorrection.tier(ofCPUFlags: BLASCoreTypeCorrection.readCPUFlags())
        let from = ProcessInfo.processInfo.environment[BLASCoreTypeCorrection.reexecutionMarker]
        print("openblas.core        \(BLASRuntime.coreName)")
        print("openblas.config      \(BLASRuntime.configuration)")
        print("openblas.threads     \(BLASRuntime.threadCount)")
        print("cpu.tier             \(tier) (best core \(tier.coreType))")
        print("reexecuted.from      \(from ?? "-")")
    }

    /// Prints the OPENBLAS_CORETYPE this process ended up needing, for scripts that start
    /// programs mtif cannot re-execute (such as the test runner).
    private static func printExportLine() {
        let environment = ProcessInfo.processInfo.environment
        if let core = environment["OPENBLAS_CORETYPE"], !core.isEmpty {
            print("export OPENBLAS_CORETYPE=\(core)")
        }
    }

    /// The best rate over `repeats` DGEMMs of `size × size` matrices, in GFLOP/s.
    private static func benchmarkMatrixProduct(size: Int, repeats: Int) -> Double {
        var generator = SeededGenerator(seed: 1)
        let a = Matrix(rows: size, columns: size, elements: (0..<(size * size)).map { _ in generator.nextUniform() })
        let b = Matrix(rows: size, columns: size, elements: (0..<(size * size)).map { _ in generator.nextUniform() })
        var c = matrixProduct(a, b)  // warm-up: thread pool start, page faults
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<repeats {
            let elapsed = clock.measure { accumulateMatrixProduct(a, b, into: &c, existingScale: 0) }
            best = min(best, elapsed.inSeconds)
        }
        return 2 * pow(Double(size), 3) / best / 1e9
    }
}
