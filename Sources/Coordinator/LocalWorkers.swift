import Foundation
import Shared

/// Worker processes started by this `mtif` on this machine, always reaped.
///
/// Each runs `mtif worker` from this executable, so it selects the same OpenBLAS kernels (the
/// environment, including any OPENBLAS_CORETYPE chosen at start-up, is inherited).
final class LocalWorkers {
    private var processes: [Process] = []

    /// Starts `count` workers connecting to `endpoint`, with CURVE keys when given.
    ///
    /// - Throws: `UsageError` when this executable cannot be started again.
    func start(count: Int, endpoint: String, keys: LocalWorkerKeys?) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for index in 0..<count {
            let process = Process()
            process.executableURL = executable
            process.arguments =
                ["worker", "--connect", endpoint, "--id", "local-\(index)", "--quiet", "--exit-with-parent"]
                + (keys.map { ["--key", $0.workerSecretPath, "--server-key", $0.serverPublicPath] } ?? [])
            do {
                try process.run()
            } catch {
                throw UsageError("Could not start a local worker (\(executable.path)): \(error.localizedDescription)")
            }
            processes.append(process)
        }
    }

    /// Waits until every worker has exited or `timeout` passes.
    func waitForExit(within timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        while processes.contains(where: \.isRunning) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Kills the workers still running and reaps every one.
    func stop() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        for process in processes { process.waitUntilExit() }
        processes.removeAll()
    }

    deinit {
        stop()
    }
}

/// A temporary CURVE identity for local workers: a key pair and the coordinator's public key
/// in a private directory, removed when the check ends.
final class LocalWorkerKeys {
    let directory: URL
    let workerPublicKey: CurvePublicKey
    let workerSecretPath: String
    let serverPublicPath: String

    init(serverKey: CurvePublicKey) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtif-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let pair = try CurveKeyPair.generate()
        workerPublicKey = pair.publicKey
        workerSecretPath = try CurveKeyFiles.write(pair, to: directory.path, name: "local-worker").secretPath
        serverPublicPath = directory.appendingPathComponent("coordinator.key").path
        try Data("\(serverKey.z85)\n".utf8).write(to: URL(fileURLWithPath: serverPublicPath))
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
