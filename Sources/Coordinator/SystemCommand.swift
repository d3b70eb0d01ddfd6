import Foundation
import Shared

/// `mtif doctor`: what this machine gives mtif (BLAS kernels, threads, CPU tier).
enum SystemCommand {
    static let doctor = Subcommand(
        name: "doctor",
        summary: "Show the BLAS kernels, threads and CPU features mtif runs with",
        help: """
            Usage: mtif doctor

            Prints the OpenBLAS core type in use, whether mtif re-executed itself to get it, the
            CPU's instruction tier and the BLAS thread count.

            Example:
              mtif doctor
            """,
        valueOptions: [],
        flagOptions: [],
        run: { _ in
            let flags = BLASCoreTypeCorrection.readCPUFlags()
            let tier = BLASCoreTypeCorrection.tier(ofCPUFlags: flags)
            print("openblas.core        \(BLASRuntime.coreName)")
            print("openblas.config      \(BLASRuntime.configuration)")
            print("openblas.threads     \(BLASRuntime.threadCount)")
            print("cpu.tier             \(tier) (best core \(tier.coreType))")
            let from = ProcessInfo.processInfo.environment[BLASCoreTypeCorrection.reexecutionMarker]
            print("reexecuted.from      \(from ?? "-")")
        })
}
