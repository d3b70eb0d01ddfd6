import Shared

/// Process start-up shared by every subcommand: BLAS kernel selection and its log line.
enum Startup {
    /// Filled by `main` before anything else runs.
    nonisolated(unsafe) static var blasOutcome: (action: BLASCoreTypeCorrection.Action, reexecutedFrom: String?)?

    /// Logs at debug level what `BLASCoreTypeCorrection` did for this process.
    static func logBLASDecision() {
        guard let outcome = blasOutcome else { return }
        let logger = Logger(label: "mtif")
        switch outcome.action {
        case .keep(let core) where outcome.reexecutedFrom != nil:
            logger.debug(
                "OpenBLAS fell back to weaker kernels; re-executed with OPENBLAS_CORETYPE",
                ["blas.detected": outcome.reexecutedFrom ?? "", "blas.core": core])
        case .keep(let core):
            logger.debug("OpenBLAS kernels match the CPU", ["blas.core": core])
        case .respectUserChoice(let core):
            logger.debug("OpenBLAS core type set by the user's OPENBLAS_CORETYPE", ["blas.core": core])
        case .giveUp(let core, let wanted):
            logger.warning(
                "OpenBLAS still runs weaker kernels after re-executing; matrix products will be slow",
                ["blas.core": core, "blas.wanted": wanted])
        case .reexecute(let detected, let coreType):
            logger.warning(
                "Could not re-execute to select faster OpenBLAS kernels; set OPENBLAS_CORETYPE yourself",
                ["blas.detected": detected, "blas.wanted": coreType])
        }
    }
}
