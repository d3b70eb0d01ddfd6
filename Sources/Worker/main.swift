import Foundation
import Shared

// Select full-speed BLAS kernels first: this may replace the process image. Jobs run one at a
// time per worker, so BLAS gets one thread; start one worker per core.
BLASCoreTypeCorrection.applyAtStartup()
BLASRuntime.setThreadCount(1)
exit(WorkerMain.main(Array(CommandLine.arguments.dropFirst())))
