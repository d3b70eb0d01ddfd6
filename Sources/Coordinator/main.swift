import Foundation
import Shared

// Select full-speed BLAS kernels first: this may replace the process image.
Startup.blasOutcome = BLASCoreTypeCorrection.applyAtStartup()
exit(CommandLineInterface.main(Array(CommandLine.arguments.dropFirst())))
