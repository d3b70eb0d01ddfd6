import Foundation
import Testing

@testable import Shared

@Suite("Checkpoint JSON: format, version and malformed fields are refused by name")
struct CheckpointDocumentTests {
    /// Writes the fixture checkpoint, edits its JSON, then reads it back.
    private func readAfterEditing(_ change: (inout [String: Any]) -> Void) throws -> CheckpointError? {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(ModelCase.all[3])
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }
        try CheckpointFixtures.editJSON(path, change)
        return CheckpointFixtures.checkpointError { _ = try Checkpoint.read(from: path) }
    }

    @Test("Another format name is refused as an unknown format")
    func otherFormatIsRefused() throws {
        let error = try readAfterEditing { $0["format"] = "torch-state-dict" }
        #expect(error?.code == .unknownFormat)
        #expect(error?.message.contains("\"torch-state-dict\"") == true)
        #expect(error?.category == .data)
    }

    @Test("A missing format field is refused as an unknown format")
    func missingFormatIsRefused() throws {
        let error = try readAfterEditing { $0["format"] = nil }
        #expect(error?.code == .unknownFormat)
        #expect(error?.message.contains("no format field") == true)
    }

    @Test("A later version is refused as unsupported, before its fields are read")
    func laterVersionIsRefused() throws {
        let error = try readAfterEditing {
            $0["version"] = 2
            $0["featureCount"] = nil
        }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.message.contains("found 2") == true)
    }

    @Test("A missing required field is named")
    func missingFieldIsNamed() throws {
        let error = try readAfterEditing { $0["featureCount"] = nil }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("'featureCount' is missing") == true)
    }

    @Test("A field of the wrong type is named with its path inside the document")
    func wrongTypeIsNamedWithPath() throws {
        let error = try readAfterEditing { json in
            var training = json["training"] as! [String: Any]
            var report = training["report"] as! [String: Any]
            report["iterations"] = "many"
            training["report"] = report
            json["training"] = training
        }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("'training.report.iterations'") == true)
        #expect(error?.message.contains("an integer") == true)
    }

    @Test("An unknown activation inside the architecture is named with its index")
    func unknownActivationIsNamed() throws {
        let error = try readAfterEditing { json in
            json["architecture"] = ["hardSharing": ["trunk": [["width": 4, "activation": "sigmoid"]]]]
        }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("'architecture.hardSharing.trunk[0].activation'") == true)
    }

    @Test("An unknown target kind is named with its index")
    func unknownTargetKindIsNamed() throws {
        let error = try readAfterEditing { $0["targetKinds"] = ["regression", "ordinal", "multiclass:3"] }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("'targetKinds[1]' is 'ordinal'") == true)
    }

    @Test("Task names and target kinds of different lengths are refused")
    func mismatchedTaskListsAreRefused() throws {
        let error = try readAfterEditing { $0["taskNames"] = ["a", "b"] }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("'taskNames' lists 2 tasks") == true)
    }

    @Test("Text that is not JSON is refused as malformed")
    func invalidJSONIsRefused() throws {
        let path = FixtureFiles.temporaryPath(".json")
        defer { FixtureFiles.remove(path) }
        try CheckpointFixtures.replaceJSON(path, with: "{\"format\": \"mtif-checkpoint\", ")
        let error = CheckpointFixtures.checkpointError { _ = try Checkpoint.read(from: path) }
        #expect(error?.code == .malformedField)
        #expect(error?.message.contains("not valid JSON") == true)
    }

    @Test("A missing checkpoint file is a DataError naming the file")
    func missingFileIsDataError() throws {
        let path = FixtureFiles.temporaryPath(".json")
        #expect(throws: DataError.self) { try Checkpoint.read(from: path) }
    }

    @Test("The SHA-256 is optional: a JSON without it reads the archive as it is")
    func checksumIsOptional() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(ModelCase.all[3])
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }
        try CheckpointFixtures.editJSON(path) {
            $0["parametersSHA256"] = nil
            $0["training"] = nil
            $0["dataset"] = nil
        }
        let read = try Checkpoint.read(from: path)
        #expect(read.parameters == checkpoint.parameters)
        #expect(read.training == nil && read.dataset == nil)
    }
}
