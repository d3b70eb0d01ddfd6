import Foundation

/// Delivers OpenBLAS's fast kernels on CPUs that its runtime dispatch does not recognise.
///
/// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels from CPUID when the library loads. On a CPU
/// newer than the library it can fall back to a generic core such as Prescott, with matrix
/// products about five times slower, and it says nothing. The only cure is the environment
/// variable OPENBLAS_CORETYPE, read once at load time, so it cannot be set from inside a running
/// process. This type compares the core OpenBLAS chose with the instruction sets the CPU reports
/// and, when the core is weaker, re-executes the current executable once with
/// OPENBLAS_CORETYPE set to the strongest core the CPU supports.
///
/// A user who sets OPENBLAS_CORETYPE keeps it: that is also the way to opt out. Setting
/// `MTIF_OPENBLAS_CORRECTION=force` corrects even a user's choice when it is weaker than the CPU
/// (for environments that export a stale core type), and `off` disables the correction.
public struct BLASCoreTypeCorrection: Sendable, Equatable {
    /// Instruction-set tiers, in the order OpenBLAS kernels need them.
    public enum InstructionTier: Int, Comparable, Sendable {
        case baseline = 0, avx, avx2, avx512

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The OpenBLAS core type whose kernels need exactly this tier.
        public var coreType: String {
            switch self {
            case .baseline: "Prescott"
            case .avx: "Sandybridge"
            case .avx2: "Haswell"
            case .avx512: "SkylakeX"
            }
        }
    }

    /// What to do at start-up.
    public enum Action: Sendable, Equatable {
        /// OpenBLAS already runs kernels that match the CPU.
        case keep(core: String)
        /// The user chose the core through OPENBLAS_CORETYPE.
        case respectUserChoice(core: String)
        /// Re-execute with OPENBLAS_CORETYPE set to `coreType`.
        case reexecute(detectedCore: String, coreType: String)
        /// A re-executed process still runs weaker kernels; do not loop.
        case giveUp(core: String, wanted: String)
    }

    /// Environment variable that marks a process as already re-executed, holding the core the
    /// first process saw.
    public static let reexecutionMarker = "MTIF_OPENBLAS_REEXECUTED_FROM"

    /// Environment variable that changes the policy: `force` or `off`.
    public static let policyVariable = "MTIF_OPENBLAS_CORRECTION"

    /// Decides the start-up action from facts, without side effects.
    ///
    /// - Parameters:
    ///   - detectedCore: `BLASRuntime.coreName` of this process.
    ///   - cpuFlags: the CPU's feature flags (as in /proc/cpuinfo).
    ///   - environment: this process's environment.
    public static func decide(detectedCore: String, cpuFlags: Set<String>, environment: [String: String]) -> Action {
        let wanted = tier(ofCPUFlags: cpuFlags)
        let policy = environment[policyVariable]
        let isReexecuted = environment[reexecutionMarker] != nil
        if policy == "off" { return .keep(core: detectedCore) }
        if let chosen = environment["OPENBLAS_CORETYPE"], !chosen.isEmpty, !isReexecuted, policy != "force" {
            return .respectUserChoice(core: chosen)
        }
        guard tier(ofCore: detectedCore) < wanted else { return .keep(core: detectedCore) }
        if isReexecuted {
            return .giveUp(core: detectedCore, wanted: wanted.coreType)
        }
        return .reexecute(detectedCore: detectedCore, coreType: wanted.coreType)
    }

    /// The strongest tier whose instructions the CPU flags all include.
    public static func tier(ofCPUFlags flags: Set<String>) -> InstructionTier {
        if flags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl"]) { return .avx512 }
        if flags.isSuperset(of: ["avx2", "fma"]) { return .avx2 }
        if flags.contains("avx") { return .avx }
        return .baseline
    }

    /// The tier an OpenBLAS core name's kernels use; unknown names count as baseline.
    public static func tier(ofCore name: String) -> InstructionTier {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen", "skylake", "cannonlake", "icelake": .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": .avx
        default: .baseline
        }
    }

    /// The feature flags of the first processor in /proc/cpuinfo, or none where it is unreadable.
    public static func readCPUFlags(from path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Applies the decision for this process: on `.reexecute` this call does not return.
    ///
    /// Call it first thing in `main`, before any other work. It replaces the process image with
    /// /proc/self/exe and the same arguments; if exec fails the process goes on with the slow
    /// kernels and the returned action says so.
    ///
    /// - Returns: the action taken (never `.reexecute` unless exec failed), for the executable to log.
    @discardableResult
    public static func applyAtStartup() -> (action: Action, reexecutedFrom: String?) {
        let environment = ProcessInfo.processInfo.environment
        let action = decide(
            detectedCore: BLASRuntime.coreName, cpuFlags: readCPUFlags(), environment: environment)
        if case .reexecute(let detected, let coreType) = action {
            setenv("OPENBLAS_CORETYPE", coreType, 1)
            setenv(reexecutionMarker, detected, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
        }
        return (action, environment[reexecutionMarker])
    }
}
