import Foundation
import Shared

// Select full-speed BLAS kernels first: this may replace the process image.
BLASCoreTypeCorrection.applyAtStartup()
BLASRuntime.setThreadCount(1)
FileHandle.standardError.write(Data("mtif-worker: the worker loop arrives with distributed scoring.\n".utf8))
exit(1)
