import Foundation
import Shared

// mtif-bench: timing harnesses for scripts/bench-*. Each prints one JSON object per measurement
// on standard output so that scripts can tabulate them.

BLASCoreTypeCorrection.applyAtStartup()

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "solve-scaling":
        try SolveScalingBenchmark.run(Array(arguments.dropFirst()))
    case "loo-agreement":
        try LeaveOneOutAgreement.run(Array(arguments.dropFirst()))
    case "per-example-gradients":
        try PerExampleGradientBenchmark.run(Array(arguments.dropFirst()))
    case "curvature-assembly":
        try CurvatureAssemblyBenchmark.run(Array(arguments.dropFirst()))
    default:
        throw UsageError(
            """
            Usage: mtif-bench solve-scaling [--tasks 10,30,100] [--task-size 20] [--shared-size 100]
                   mtif-bench loo-agreement [--removals 100] [--data-dir DIR]
                   mtif-bench per-example-gradients [--inputs train|all] [--queries 14] [--repeat 5] [--data-dir DIR]
                   mtif-bench curvature-assembly [--examples N] [--repeat 3] [--skip-products] [--data-dir DIR]
            """)
    }
} catch {
    FileHandle.standardError.write(Data("mtif-bench: \(error)\n".utf8))
    exit(1)
}
