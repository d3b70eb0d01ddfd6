import Foundation
import Testing

@testable import Shared

@Suite("OpenBLAS core-type correction at start-up")
struct BLASCoreTypeCorrectionTests {
    static let avx512Flags: Set<String> = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl"]
    static let avx2Flags: Set<String> = ["sse2", "avx", "avx2", "fma"]

    @Test("A generic core on an AVX-512 CPU is re-executed as SkylakeX")
    func genericCoreOnAVX512IsCorrected() {
        let action = BLASCoreTypeCorrection.decide(
            detectedCore: "Prescott", cpuFlags: Self.avx512Flags, environment: [:])
        #expect(action == .reexecute(detectedCore: "Prescott", coreType: "SkylakeX"))
    }

    @Test("An AVX2 core on an AVX2 CPU is kept, and so is an AVX-512 core on an AVX-512 CPU")
    func matchingCoresAreKept() {
        #expect(
            BLASCoreTypeCorrection.decide(detectedCore: "Zen", cpuFlags: Self.avx2Flags, environment: [:])
                == .keep(core: "Zen"))
        let cooperlake = BLASCoreTypeCorrection.decide(
            detectedCore: "Cooperlake", cpuFlags: Self.avx512Flags, environment: [:])
        #expect(cooperlake == .keep(core: "Cooperlake"))
    }

    @Test("A user's OPENBLAS_CORETYPE is respected unless the policy is force")
    func userChoiceIsRespected() {
        let user = ["OPENBLAS_CORETYPE": "Prescott"]
        let kept = BLASCoreTypeCorrection.decide(detectedCore: "Prescott", cpuFlags: Self.avx2Flags, environment: user)
        #expect(kept == .respectUserChoice(core: "Prescott"))
        var forced = user
        forced[BLASCoreTypeCorrection.policyVariable] = "force"
        let corrected = BLASCoreTypeCorrection.decide(
            detectedCore: "Prescott", cpuFlags: Self.avx2Flags, environment: forced)
        #expect(corrected == .reexecute(detectedCore: "Prescott", coreType: "Haswell"))
    }

    @Test("A re-executed process that still has weak kernels gives up instead of looping")
    func reexecutedProcessDoesNotLoop() {
        let environment = [BLASCoreTypeCorrection.reexecutionMarker: "Prescott", "OPENBLAS_CORETYPE": "SkylakeX"]
        let action = BLASCoreTypeCorrection.decide(
            detectedCore: "Prescott", cpuFlags: Self.avx512Flags, environment: environment)
        #expect(action == .giveUp(core: "Prescott", wanted: "SkylakeX"))
    }

    @Test("The policy off keeps whatever OpenBLAS chose")
    func policyOffKeepsCore() {
        let environment = [BLASCoreTypeCorrection.policyVariable: "off"]
        let action = BLASCoreTypeCorrection.decide(
            detectedCore: "Prescott", cpuFlags: Self.avx512Flags, environment: environment)
        #expect(action == .keep(core: "Prescott"))
    }

    @Test("This test process runs kernels at least as strong as its CPU, or a user-chosen core")
    func thisProcessHasMatchingKernels() {
        let flags = BLASCoreTypeCorrection.readCPUFlags()
        #expect(!flags.isEmpty, "/proc/cpuinfo should list CPU flags on Linux")
        let cpuTier = BLASCoreTypeCorrection.tier(ofCPUFlags: flags)
        let coreTier = BLASCoreTypeCorrection.tier(ofCore: BLASRuntime.coreName)
        let userSet = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil
        #expect(userSet || coreTier >= cpuTier, "scripts/test must run with full-speed kernels")
    }
}
