import Foundation
import Testing

@testable import Shared

@Suite("Worker command line shared by mtif-worker and mtif worker")
struct WorkerCommandLineTests {
    func parse(_ words: [String]) throws -> WorkerConfiguration {
        try WorkerCommandLine.configuration(
            from: CommandArguments(
                words, valueOptions: WorkerCommandLine.valueOptions, flagOptions: WorkerCommandLine.flagOptions))
    }

    @Test("Endpoint, id, timeout and frame size become the worker configuration")
    func optionsBecomeConfiguration() throws {
        let configuration = try parse([
            "--connect", "tcp://10.0.0.5:5555", "--id", "node-7", "--timeout", "2.5", "--max-frame-mib", "64",
        ])
        #expect(configuration.endpoint == "tcp://10.0.0.5:5555" && configuration.workerID == "node-7")
        #expect(configuration.coordinatorTimeout == .milliseconds(2500))
        #expect(configuration.maximumFrameSize == 64 << 20)
        #expect(configuration.security == nil)
    }

    @Test("A missing endpoint, a key without a server key, or a bad timeout is a usage error")
    func invalidCommandLinesRejected() {
        for words in [
            ["--id", "x"], ["--connect", "tcp://h:1", "--key", "a.secret"],
            ["--connect", "tcp://h:1", "--timeout", "0"], ["--connect", "tcp://h:1", "extra"],
        ] {
            #expect(throws: UsageError.self, "\(words)") { try parse(words) }
        }
    }

    @Test("Key files given on the command line become the CURVE credentials")
    func keyFilesBecomeCredentials() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtif-cli-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let worker = try CurveKeyPair.generate()
        let server = try CurveKeyPair.generate()
        let workerPaths = try CurveKeyFiles.write(worker, to: directory, name: "worker")
        let serverPaths = try CurveKeyFiles.write(server, to: directory, name: "server")
        let configuration = try parse([
            "--connect", "tcp://h:1", "--key", workerPaths.secretPath, "--server-key", serverPaths.publicPath,
        ])
        #expect(configuration.security?.keyPair == worker)
        #expect(configuration.security?.serverKey == server.publicKey)
    }
}
