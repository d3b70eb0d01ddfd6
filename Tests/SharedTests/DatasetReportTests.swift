import Testing

@testable import Shared

@Suite("Dataset report and the parsing of target-kind options")
struct DatasetReportTests {
    @Test("The report counts every task's examples per split and the positive rate of binary tasks")
    func counts() throws {
        let dataset = try DatasetAssembler.assemble(
            DatasetAssemblerTests.sharedPool(), configuration: DatasetConfiguration(seed: 2))
        let report = DatasetReport(dataset)
        #expect(report.inputCounts == [24, 8, 8])
        #expect(report.tasks.map(\.counts) == [[24, 8, 8], [24, 8, 8]])
        let expectedRate = dataset.validation.tasks[0].targets.reduce(0, +) / 8
        #expect(report.tasks[0].positiveRates?[1] == expectedRate)
        #expect(report.tasks[1].positiveRates == nil, "a multiclass task has no positive rate")
        #expect(report.fingerprint == dataset.fingerprint())
        #expect(report.text.contains("toy-shared") && report.text.contains("multiclass(3)"))
    }

    @Test("Target kinds parse in every accepted spelling and refuse the rest")
    func kinds() throws {
        #expect(try TargetKind(parsing: "Regression") == .regression)
        #expect(try TargetKind(parsing: "binary") == .binary)
        #expect(try TargetKind(parsing: "multiclass:4") == .multiclass(classes: 4))
        #expect(try TargetKind(parsing: "multiclass(12)") == .multiclass(classes: 12))
        for text in ["multiclass:1", "multiclass", "poisson", "multiclass:4x"] {
            #expect(throws: UsageError.self) { try TargetKind(parsing: text) }
        }
    }

    @Test("A kind choice is one kind for all tasks or task=kind pairs")
    func choices() throws {
        #expect(try TargetKindChoice(parsing: "binary") == .all(.binary))
        #expect(
            try TargetKindChoice(parsing: "a=binary,b=multiclass:3")
                == .perTask(["a": .binary, "b": .multiclass(classes: 3)]))
        #expect(throws: UsageError.self) { try TargetKindChoice(parsing: "=binary") }
    }
}
