import Foundation
import Testing

@testable import Shared

@Suite("Built-in dataset names, options and data directory")
struct BuiltinDatasetTests {
    @Test("Names with options parse into their datasets")
    func parsing() throws {
        #expect(try BuiltinDataset(specification: "yeast") == .yeast)
        #expect(try BuiltinDataset(specification: "digits") == .digits(.standardPairs))
        #expect(try BuiltinDataset(specification: "digits:tasks=multiclass") == .digits(.multiclass))
        let pairs = ClassTaskDesign.pairs([ClassPair(negative: 3, positive: 8), ClassPair(negative: 1, positive: 7)])
        #expect(try BuiltinDataset(specification: "digits:pairs=3-8/1-7") == .digits(pairs))
        let fashion = try BuiltinDataset(specification: "fashion-mnist:tasks=one-vs-rest,n=500,test-n=100")
        #expect(
            fashion
                == .fashionMNIST(
                    FashionMNISTOptions(design: .oneVsRest, examplesPerTask: 500, testExamplesPerTask: 100)))
    }

    @Test(
        "Unknown names and options, overlapping or malformed pairs are usage errors",
        arguments: [
            "mnist", "yeast:n=3", "digits:pairs=0-1/1-2", "digits:pairs=0-10", "digits:pairs=3", "fashion-mnist:n=0",
            "digits:tasks=one-vs-rest,pairs=0-1", "fashion-mnist:tasks=all",
        ])
    func badSpecifications(text: String) throws {
        #expect(throws: UsageError.self) { try BuiltinDataset(specification: text) }
    }

    @Test("The data directory comes from the option, then the environment, then ./data")
    func dataDirectoryOrder() throws {
        let root = FixtureFiles.temporaryPath("-root")
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        defer { FixtureFiles.remove(root) }
        let environment = [DataDirectory.environmentVariable: "/from/env"]
        #expect(
            DataDirectory.resolve(explicit: "/given", environment: environment, currentDirectory: root).path == "/given"
        )
        #expect(
            DataDirectory.resolve(explicit: nil, environment: environment, currentDirectory: root).path == "/from/env")
        #expect(DataDirectory.resolve(explicit: nil, environment: [:], currentDirectory: root).path == root + "/data")
    }

    @Test("Without ./data the directory is found next to the executable's package")
    func packageRoot() throws {
        let root = FixtureFiles.temporaryPath("-package")
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/.build/debug", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: root + "/Package.swift"))
        defer { FixtureFiles.remove(root) }
        let resolved = DataDirectory.resolve(
            explicit: nil, environment: [:], currentDirectory: "/nonexistent",
            executablePath: root + "/.build/debug/mtif")
        #expect(resolved.path == root + "/data")
    }

    @Test("A missing built-in file names the file and says to run scripts/fetch-data", arguments: ["yeast", "digits"])
    func missingFiles(name: String) throws {
        let empty = DataDirectory(path: FixtureFiles.temporaryPath("-empty"))
        let error = try #require(throws: DataError.self) {
            try BuiltinDataset(specification: name).makePools(dataDirectory: empty, seed: 0)
        }
        #expect(error.code == .fileNotFound)
        #expect(error.path == empty.file("\(name)/\(name).csv.gz"))
        #expect(error.message.contains("scripts/fetch-data"))
    }
}
