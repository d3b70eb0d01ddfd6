import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif train and mtif inspect end to end: files, reports and exit codes",
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct TrainCommandTests {
    static let dataset = "synthetic:K=3,n=40,d=4"

    /// A fresh directory for one test's outputs.
    private func directory() -> String { FixtureFiles.temporaryPath("-train") }

    @Test("A convex model trains, prints a converged report and writes a checkpoint that inspects cleanly")
    func convexModelWritesCheckpoint() throws {
        let out = directory()
        defer { FixtureFiles.remove(out) }
        let run = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "linear", "--l2", "0.1", "--out", out, "--quiet",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.split(separator: "\n").contains { $0.hasPrefix("converged") && $0.hasSuffix("yes") })

        let path = out + "/checkpoint.json"
        let checkpoint = try Checkpoint.read(from: path)
        #expect(checkpoint.dataset?.description == "\(Self.dataset) --seed 0")
        #expect(checkpoint.training?.report.converged == true)
        #expect(checkpoint.training?.settings.method == .newton)
        let inspect = try BuiltExecutable.run(["inspect", path])
        #expect(inspect.status == 0)
        #expect(inspect.output.contains(checkpoint.dataset!.fingerprint))
    }

    @Test("An unconverged network exits 1 and writes nothing")
    func unconvergedRunWritesNothing() throws {
        let out = directory()
        defer { FixtureFiles.remove(out) }
        let run = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "hard:3tanh", "--l2", "0.1", "--adam-steps", "2", "--max-iterations", "1",
            "--out", out, "--quiet",
        ])
        #expect(run.status == 1)
        #expect(run.output.split(separator: "\n").contains { $0.hasPrefix("converged") && $0.hasSuffix("no") })
        #expect(run.error.contains("--allow-unconverged"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("With --allow-unconverged the checkpoint is written marked unconverged and the exit status stays 1")
    func allowedUnconvergedRunIsMarked() throws {
        let out = directory() + ".json"
        defer { CheckpointFixtures.remove(out) }
        let run = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "hard:3tanh", "--l2", "0.1", "--adam-steps", "2", "--max-iterations", "1",
            "--out", out, "--allow-unconverged", "--quiet",
        ])
        #expect(run.status == 1)
        let checkpoint = try Checkpoint.read(from: out)
        #expect(checkpoint.training?.report.converged == false)
        #expect(checkpoint.training?.settings.adamSteps == 2)
    }

    @Test("A warm start on data split with another seed is refused with both fingerprints (exit 64)")
    func warmStartOnOtherDataIsRefused() throws {
        let out = directory()
        defer { FixtureFiles.remove(out) }
        let first = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "linear", "--l2", "0.1", "--out", out, "--quiet",
        ])
        #expect(first.status == 0)
        let second = try BuiltExecutable.run([
            "train", Self.dataset, "--seed", "1", "--model", "linear", "--l2", "0.1", "--warm-start",
            out + "/checkpoint.json", "--out", out + "/again", "--quiet",
        ])
        #expect(second.status == 64)
        #expect(second.error.contains("fingerprint"))
        #expect(second.error.contains("'\(Self.dataset) --seed 0'"))
    }

    @Test("A warm start on the same data at another λ converges from the saved parameters")
    func warmStartOnSameDataRuns() throws {
        let out = directory()
        defer { FixtureFiles.remove(out) }
        _ = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "linear", "--l2", "0.1", "--out", out, "--quiet",
        ])
        let again = try BuiltExecutable.run([
            "train", Self.dataset, "--model", "linear", "--l2", "0.05", "--warm-start", out + "/checkpoint.json",
            "--out", out + "/path.json", "--quiet",
        ])
        #expect(again.status == 0, "\(again.error)")
        let checkpoint = try Checkpoint.read(from: out + "/path.json")
        #expect(checkpoint.training?.warmStart == out + "/checkpoint.json")
        #expect(checkpoint.training?.initializationSeed == nil)
        #expect(checkpoint.regularization.l2 == 0.05)
    }

    @Test(
        "Malformed invocations exit 64 with a message naming the problem",
        arguments: [
            (["--model", "hard:16sigmoid", "--l2", "0.1"], "'16sigmoid'"),
            (["--model", "linear"], "--l2"),
            (["--model", "soft:linear", "--l2", "0.1"], "--coupling"),
            (["--model", "linear", "--l2", "0.1", "--coupling", "0.5"], "soft sharing"),
        ])
    func malformedInvocationsAreRefused(_ options: [String], _ phrase: String) throws {
        let run = try BuiltExecutable.run(["train", Self.dataset] + options + ["--out", directory(), "--quiet"])
        #expect(run.status == 64)
        #expect(run.error.contains(phrase), "\(run.error)")
    }
}
