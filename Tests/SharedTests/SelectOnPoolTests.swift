import Foundation
import Testing

@testable import Shared

@Suite(
    "mtif select on the worker pool: the same selection as in-process, resumed from its journal",
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct SelectOnPoolTests {
    static let dataset = "synthetic:K=3,n=60,d=8,shared=0.9,noise=0.3,conflicting=1,seed=2"

    /// Score runs of a linear model (Newton, weight-zero removal) and of a network (L-BFGS,
    /// renormalised removal), by model name; each test selects into its own copy.
    static let runs: [String: String] = {
        let directory = FixtureFiles.temporaryPath("-select-pool")
        var runs: [String: String] = [:]
        for (name, model, l2, removal) in [
            ("linear", "linear", "1", "weight-zero"), ("network", "hard:6tanh", "1e-2", "renormalised"),
        ] {
            let checkpoint = "\(directory)/\(name).json"
            _ = try? BuiltExecutable.run([
                "train", dataset, "--model", model, "--l2", l2, "--out", checkpoint, "--quiet",
            ])
            _ = try? BuiltExecutable.run([
                "score", dataset, "--checkpoint", checkpoint, "--out", "\(directory)/\(name)", "--removal", removal,
                "--workers", "0", "--quiet",
            ])
            runs[name] = "\(directory)/\(name)"
        }
        return runs
    }()

    static func copyOfRun(_ model: String) throws -> String {
        let copy = FixtureFiles.temporaryPath("-select-pool-copy")
        try FileManager.default.copyItem(atPath: try #require(runs[model]), toPath: copy)
        return copy
    }

    /// `mtif select` of task0 with harmful and top-10% rules, random draws and the
    /// leave-one-task-out of task2, named `name`; a relative gradient of 1e-6 keeps the
    /// network's retrainings short.
    static func select(
        _ directory: String, name: String, seeds: Int = 2, _ extra: [String]
    ) throws -> (status: Int32, output: String, error: String) {
        try BuiltExecutable.run(
            [
                "select", directory, "--target", "task0", "--fractions", "harmful,10", "--random-seeds", "\(seeds)",
                "--drop-tasks", "task2", "--name", name, "--tolerance", "1e-6",
            ] + extra)
    }

    /// The strategies of `selection/NAME.json`: every number the selection measured.
    static func strategies(_ directory: String, _ name: String) throws -> NSArray {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/selection/\(name).json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(document["strategies"] as? NSArray)
    }

    /// The results recorded in a selection's journal.
    static func journalCount(_ directory: String, _ name: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/selection/.\(name).retraining"))
        return (names ?? []).filter { $0.hasSuffix(".result") && !$0.hasPrefix(".") }.count
    }

    @Test(
        "--workers 2 selects with the numbers of --workers 0, for Newton and L-BFGS, data sent or loaded",
        arguments: ["linear", "network"])
    func poolEqualsInProcess(model: String) throws {
        let directory = try Self.copyOfRun(model)
        defer { FixtureFiles.remove(directory) }
        let reference = try Self.select(directory, name: "here", ["--workers", "0", "--quiet"])
        #expect(reference.status == 0, "\(reference.error)")
        let pooled = try Self.select(directory, name: "pool", ["--workers", "2", "--quiet", "--verbose"])
        #expect(pooled.status == 0, "\(pooled.error)")
        #expect(pooled.error.contains("worker joined worker.id=local-1"))
        let expected = try Self.strategies(directory, "here")
        #expect(try Self.strategies(directory, "pool") == expected)
        // harmful and top 10%, each with 2 random draws, and task2 dropped; "drop harmful
        // tasks" adds one more retraining unless it drops nothing or task2 alone.
        #expect((7...8).contains(Self.journalCount(directory, "pool")))
        #expect(Self.journalCount(directory, "pool") == Self.journalCount(directory, "here"))

        let loaded = try Self.select(directory, name: "load", ["--workers", "2", "--worker-data", "load", "--quiet"])
        #expect(loaded.status == 0, "\(loaded.error)")
        #expect(try Self.strategies(directory, "load") == expected)
    }

    @Test("A coordinator killed with SIGKILL mid-run reads its finished retrainings back and retrains only the rest")
    func killedCoordinatorResumesFromJournal() throws {
        let directory = try Self.copyOfRun("network")
        defer { FixtureFiles.remove(directory) }
        let reference = try Self.select(directory, name: "here", seeds: 3, ["--workers", "0", "--quiet"])
        #expect(reference.status == 0, "\(reference.error)")
        let total = Self.journalCount(directory, "here")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(BuiltExecutable.mtif))
        process.arguments = [
            "select", directory, "--target", "task0", "--fractions", "harmful,10", "--random-seeds", "3",
            "--drop-tasks", "task2", "--name", "killed", "--tolerance", "1e-6", "--workers", "1", "--quiet",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline, Self.journalCount(directory, "killed") == 0 {
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let finished = Self.journalCount(directory, "killed")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(finished >= 1 && finished < total)

        let rerun = try Self.select(directory, name: "killed", seeds: 3, ["--workers", "2", "--quiet", "--verbose"])
        #expect(rerun.status == 0, "\(rerun.error)")
        #expect(rerun.error.contains("resuming retrainings.done=\(finished) retrainings=\(total)"), "\(rerun.error)")
        #expect(rerun.error.contains("workers finished retrainings=\(total - finished) "), "\(rerun.error)")
        #expect(Self.journalCount(directory, "killed") == total)
        #expect(try Self.strategies(directory, "killed") == Self.strategies(directory, "here"))
    }

    @Test("A rerun in-process finds every retraining in the journal; a corrupted entry is retrained, not trusted")
    func inProcessRerunUsesJournal() throws {
        let directory = try Self.copyOfRun("linear")
        defer { FixtureFiles.remove(directory) }
        #expect(try Self.select(directory, name: "once", ["--workers", "0", "--quiet"]).status == 0)
        let expected = try Self.strategies(directory, "once")
        let journal = "\(directory)/selection/.once.retraining"
        let entries = try FileManager.default.contentsOfDirectory(atPath: journal).sorted()
        let victim = "\(journal)/\(entries[0])"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[bytes.count - 3] ^= 0x01  // one bit of the last parameter: still a finite 1 × P result
        try bytes.write(to: URL(fileURLWithPath: victim))
        let rerun = try Self.select(directory, name: "once", ["--workers", "0", "--verbose"])
        #expect(rerun.status == 0, "\(rerun.error)")
        #expect(rerun.error.contains("journal entry unusable"), "\(rerun.error)")
        #expect(
            rerun.error.contains("resuming retrainings.done=\(entries.count - 1) retrainings=\(entries.count)"),
            "\(rerun.error)")
        #expect(try Self.strategies(directory, "once") == expected)
    }
}
