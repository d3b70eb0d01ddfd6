import Foundation
import Testing

@Suite(
    "Run configurations: config.json repeats a run exactly; wrong or malformed files are refused",
    .serialized,
    .enabled(if: BuiltExecutable.mtif != nil, "build the mtif executable first (swift build --build-tests)"))
struct RunConfigurationTests {
    @Test("mtif score --config DIR/config.json writes the same scores; options on the command line override")
    func configRepeatsScoreRun() throws {
        let (first, second) = (FixtureFiles.temporaryPath("-cfg1"), FixtureFiles.temporaryPath("-cfg2"))
        defer { [first, second].forEach(FixtureFiles.remove) }
        let scored = try ScoreCommandTests.score(first, ["--workers", "0", "--removal", "renormalised", "--quiet"])
        #expect(scored.status == 0, "\(scored.error)")
        let config = try String(contentsOfFile: first + "/config.json", encoding: .utf8)
        #expect(config.contains("\"renormalised\"") && !config.contains("quiet"))

        let repeated = try BuiltExecutable.run([
            "score", "--config", first + "/config.json", "--out", second, "--quiet",
        ])
        #expect(repeated.status == 0, "\(repeated.error)")
        #expect(try ScoreCommandTests.scores(first) == ScoreCommandTests.scores(second))
        let manifest = try String(contentsOfFile: second + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"renormalised\""))
    }

    @Test("A configuration of another command, or a file that is not one, exits 64 and says what was expected")
    func wrongConfigurationsAreRefused() throws {
        let out = FixtureFiles.temporaryPath("-cfg3")
        defer { FixtureFiles.remove(out) }
        #expect(try ScoreCommandTests.score(out, ["--workers", "0", "--quiet"]).status == 0)
        let otherCommand = try BuiltExecutable.run(["train", "--config", out + "/config.json"])
        #expect(otherCommand.status == 64 && otherCommand.error.contains("configures `mtif score`"))

        let garbage = try FixtureFiles.temporaryFile("{\"format\": \"something\"}", suffix: ".json")
        defer { FixtureFiles.remove(garbage) }
        let malformed = try BuiltExecutable.run(["score", "--config", garbage])
        #expect(malformed.status == 64 && malformed.error.contains("is not an mtif configuration"))
        let missing = try BuiltExecutable.run(["score", "--config", out + "/nothing.json"])
        #expect(missing.status == 64 && missing.error.contains("no such file"))
    }
}
