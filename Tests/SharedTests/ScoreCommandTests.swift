import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif score end to end: local workers, resume after a killed coordinator, outputs and exit codes",
    .serialized,
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct ScoreCommandTests {
    static let dataset = "synthetic:K=3,n=120,d=6,kind=binary,conflicting=1,seed=7"

    /// A trained checkpoint shared by the tests of this suite.
    static let checkpoint: String = {
        let path = FixtureFiles.temporaryPath("-score-model") + "/model.json"
        _ = try? BuiltExecutable.run([
            "train", dataset, "--model", "hard:4tanh", "--l2", "0.01", "--out", path, "--quiet",
        ])
        return path
    }()

    static func score(_ out: String, _ extra: [String]) throws -> (status: Int32, output: String, error: String) {
        try BuiltExecutable.run(
            ["score", dataset, "--checkpoint", checkpoint, "--out", out, "--queries", "examples", "--shard-size", "4"]
                + extra)
    }

    static func scores(_ directory: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: directory + "/scores.npy"))
    }

    @Test("Two local workers write exactly the bytes of in-process scoring, and no worker outlives the run")
    func localWorkersMatchInProcess() throws {
        let (local, distributed) = (FixtureFiles.temporaryPath("-w0"), FixtureFiles.temporaryPath("-w2"))
        defer { [local, distributed].forEach(FixtureFiles.remove) }
        let inProcess = try Self.score(local, ["--workers", "0", "--quiet"])
        let pooled = try Self.score(distributed, ["--workers", "2", "--quiet"])
        #expect(inProcess.status == 0, "\(inProcess.error)")
        #expect(pooled.status == 0, "\(pooled.error)")
        #expect(try Self.scores(local) == Self.scores(distributed))
        let loading = FixtureFiles.temporaryPath("-load")
        defer { FixtureFiles.remove(loading) }
        let loaded = try Self.score(loading, ["--workers", "2", "--worker-data", "load", "--quiet"])
        #expect(loaded.status == 0, "\(loaded.error)")
        #expect(try Self.scores(local) == Self.scores(loading))
        let manifest = try String(contentsOfFile: distributed + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"fingerprint\"") && manifest.contains("\"relativeResiduals\""))
        #expect(!LingeringWorkers.anyRunning())
    }

    @Test("--solver cg with two workers sums curvature products over them and matches --workers 0 to 1e-10")
    func distributedConjugateGradientMatchesLocal() throws {
        let (local, distributed) = (FixtureFiles.temporaryPath("-cg0"), FixtureFiles.temporaryPath("-cg2"))
        defer { [local, distributed].forEach(FixtureFiles.remove) }
        let solve = ["--solver", "cg", "--curvature", "gauss-newton", "--damping", "0.01", "--tolerance", "1e-12"]
        let inProcess = try Self.score(local, solve + ["--workers", "0", "--quiet"])
        // The workers load the dataset themselves: the rounds' payloads carry no rows.
        let pooled = try Self.score(
            distributed, solve + ["--workers", "2", "--worker-data", "load", "--quiet", "--verbose"])
        #expect(inProcess.status == 0, "\(inProcess.error)")
        #expect(pooled.status == 0, "\(pooled.error)")
        #expect(pooled.error.contains("curvature products summed over workers"))

        let expected = try NPYFormat.read(path: local + "/scores.npy").elements
        let actual = try NPYFormat.read(path: distributed + "/scores.npy").elements
        let scale = try #require(expected.map(abs).max())
        // CG's iterates differ only by the order of the products' sums (about 1e-16 relative);
        // with residuals below 1e-11 both solutions agree far inside 1e-10.
        #expect(zip(actual, expected).map { abs($0 - $1) }.max()! <= 1e-10 * scale)
        let manifest = try String(contentsOfFile: distributed + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"distributedProducts\""))
        #expect(
            !(try String(contentsOfFile: local + "/manifest.json", encoding: .utf8)).contains("distributedProducts"))
        #expect(!LingeringWorkers.anyRunning())
    }

    @Test("A rerun resumes from the stored shards: it says so and the scores are unchanged")
    func rerunResumesFromStoredShards() throws {
        let out = FixtureFiles.temporaryPath("-resume")
        defer { FixtureFiles.remove(out) }
        #expect(try Self.score(out, ["--workers", "1", "--quiet"]).status == 0)
        let reference = try Self.scores(out)
        let journal = out + "/shards/done"
        let shards = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(shards.count > 1)
        // Forget the second half of the finished shards, and cut the last kept line short as a
        // crash in the middle of appending it would.
        let kept = shards.prefix(shards.count / 2).joined(separator: "\n") + "\n" + shards[shards.count / 2].prefix(2)
        try Data(kept.utf8).write(to: URL(fileURLWithPath: journal))
        let complete = try Self.score(out, ["--workers", "1", "--quiet", "--verbose"])
        #expect(complete.error.contains("resuming shards.done=\(shards.count / 2) shards=\(shards.count)"))
        #expect(try Self.scores(out) == reference)

        let rerun = try Self.score(out, ["--workers", "1", "--quiet", "--verbose"])
        #expect(rerun.status == 0, "\(rerun.error)")
        #expect(rerun.error.contains("resuming shards.done=\(shards.count) shards=\(shards.count)"))
        #expect(try Self.scores(out) == reference)
    }

    @Test("A coordinator killed with SIGKILL mid-run loses nothing: its rerun finishes with identical scores")
    func killedCoordinatorResumes() throws {
        let (reference, out) = (FixtureFiles.temporaryPath("-ref"), FixtureFiles.temporaryPath("-killed"))
        defer { [reference, out].forEach(FixtureFiles.remove) }
        #expect(try Self.score(reference, ["--workers", "0", "--quiet"]).status == 0)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(BuiltExecutable.mtif))
        process.arguments = [
            "score", Self.dataset, "--checkpoint", Self.checkpoint, "--out", out, "--queries", "examples",
            "--shard-size", "1", "--workers", "2", "--quiet",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline,
            ((try? FileManager.default.attributesOfItem(atPath: out + "/shards/done"))?[.size] as? Int ?? 0) == 0
        {
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let rerun = try Self.score(out, ["--workers", "2", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.error)")
        #expect(try Self.scores(out) == Self.scores(reference))
    }

    @Test("Usage errors exit 64 and name the problem; a checkpoint of other data is refused")
    func badInvocationsAreRefused() throws {
        let out = FixtureFiles.temporaryPath("-bad")
        defer { FixtureFiles.remove(out) }
        let badSolver = try Self.score(out, ["--solver", "magic"])
        #expect(badSolver.status == 64 && badSolver.error.contains("--solver expects one of"))
        let otherData = try BuiltExecutable.run([
            "score", "synthetic:K=3,n=120,d=6,kind=binary,seed=8", "--checkpoint", Self.checkpoint, "--out", out,
        ])
        #expect(otherData.status == 64 && otherData.error.contains("fingerprint"), "\(otherData.error)")
    }

    @Test("--explain prints every score of one training example; mtif inspect summarises the run directory")
    func explainPrintsOneExample() throws {
        let out = FixtureFiles.temporaryPath("-explain")
        defer { FixtureFiles.remove(out) }
        let run = try BuiltExecutable.run([
            "score", Self.dataset, "--checkpoint", Self.checkpoint, "--out", out, "--workers", "0", "--explain",
            "task1:3",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("Training example task1:3"))
        #expect(run.output.contains("within-task") && run.output.contains("between-task"))

        let inspect = try BuiltExecutable.run(["inspect", out])
        #expect(inspect.status == 0, "\(inspect.error)")
        #expect(inspect.output.contains("fingerprint") && inspect.output.contains("max relative residual"))
        #expect(inspect.output.contains("task-matrix.json") && !inspect.output.contains("(missing)"))
    }
}

/// Local worker processes on this machine, found through /proc.
enum LingeringWorkers {
    /// Whether any local worker started by `mtif score` is still running (tests of this suite
    /// run one at a time, so any such worker would be one of theirs).
    static func anyRunning() -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int(entry) != nil,
                let command = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)
            else { return false }
            return command.contains("worker\u{0}--connect") && command.contains("--exit-with-parent")
        }
    }
}
