import Foundation
import Testing

@testable import Shared

@Suite("Checkpoints: bit-exact round trips, array layout and application to data")
struct CheckpointTests {
    @Test("Writing then reading a checkpoint returns it bit for bit", arguments: ModelCase.all)
    func roundTripIsBitExact(_ modelCase: ModelCase) throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(modelCase)
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }

        let read = try Checkpoint.read(from: path)
        #expect(read == checkpoint)
        #expect(read.parameters.map(\.bitPattern) == checkpoint.parameters.map(\.bitPattern))
        #expect(read.regularization.l2.bitPattern == checkpoint.regularization.l2.bitPattern)
        #expect(read.training?.report.finalLoss.bitPattern == (0.1 + 0.2).bitPattern)
    }

    @Test("The archive holds one array per layer, named and shaped as ParameterLayout stores them")
    func archiveFollowsParameterLayout() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(ModelCase.all[5])
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }

        let archive = try NPZArchive.read(path: Checkpoint.parametersPath(forJSON: path))
        let shapes = Dictionary(uniqueKeysWithValues: archive.names.map { ($0, archive[$0]!.shape) })
        #expect(
            shapes == [
                "tasks/0/layers/0/weight": [3, 1], "tasks/0/layers/0/bias": [1],
                "tasks/1/layers/0/weight": [3, 1], "tasks/1/layers/0/bias": [1],
                "tasks/2/layers/0/weight": [3, 3], "tasks/2/layers/0/bias": [3],
                "shared/layers/0/weight": [4, 4], "shared/layers/0/bias": [4],
                "shared/layers/1/weight": [4, 3], "shared/layers/1/bias": [3],
            ])
        let trunk = checkpoint.model.layout.sharedBlock.layers[1]
        #expect(archive["shared/layers/1/weight"]!.elements == Array(checkpoint.parameters[trunk.weightRange]))
    }

    @Test("Linear hard sharing stores weights without bias arrays")
    func linearHardSharingHasNoBiasArrays() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(ModelCase.all[0])
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }

        let archive = try NPZArchive.read(path: Checkpoint.parametersPath(forJSON: path))
        #expect(
            archive.names == [
                "tasks/0/layers/0/weight", "tasks/1/layers/0/weight", "tasks/2/layers/0/weight",
                "shared/layers/0/weight",
            ])
    }

    @Test("The JSON names the format, version, archive, its SHA-256, target kinds and dataset")
    func jsonRecordsDescription() throws {
        let (checkpoint, objective) = try CheckpointFixtures.checkpoint(ModelCase.all[3])
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }

        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let archiveBytes = try CheckpointFixtures.bytes(Checkpoint.parametersPath(forJSON: path))
        let dataset = try #require(json["dataset"] as? [String: Any])
        #expect(json["format"] as? String == "mtif-checkpoint")
        #expect(json["version"] as? Int == 1)
        #expect(
            json["parameters"] as? String == URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                + ".npz")
        #expect(json["parametersSHA256"] as? String == SHA256.hash(archiveBytes).hexadecimal)
        #expect(json["targetKinds"] as? [String] == ["regression", "binary", "multiclass:3"])
        #expect(dataset["fingerprint"] as? String == objective.dataset.fingerprint())
        #expect(dataset["description"] as? String == "fixture --seed 11")
    }

    @Test("Writing the same checkpoint twice gives identical bytes")
    func writingIsReproducible() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(ModelCase.all[8])
        let first = try CheckpointFixtures.written(checkpoint)
        let second = try CheckpointFixtures.written(checkpoint)
        defer { [first, second].forEach(CheckpointFixtures.remove) }

        #expect(try CheckpointFixtures.bytes(first) != [])
        let archive = { (path: String) in try CheckpointFixtures.bytes(Checkpoint.parametersPath(forJSON: path)) }
        #expect(try archive(first) == archive(second))
        let json = { (path: String) in
            try String(decoding: CheckpointFixtures.bytes(path), as: UTF8.self).replacingOccurrences(
                of: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, with: "NAME")
        }
        #expect(try json(first) == json(second))
    }

    @Test("The objective made from a checkpoint equals the one it was trained on", arguments: ModelCase.all)
    func objectiveFromCheckpointMatches(_ modelCase: ModelCase) throws {
        let (checkpoint, objective) = try CheckpointFixtures.checkpoint(modelCase)
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }

        let rebuilt = try Checkpoint.read(from: path).makeObjective(dataset: objective.dataset)
        let w = checkpoint.parameters
        #expect(rebuilt.value(at: w) == objective.value(at: w))
        #expect(rebuilt.gradient(at: w) == objective.gradient(at: w))
    }

    @Test("Outputs for arbitrary inputs equal the objective's outputs on those inputs")
    func outputsMatchObjective() throws {
        let (checkpoint, objective) = try CheckpointFixtures.checkpoint(ModelCase.all[4])
        for task in 0..<objective.taskCount {
            let features = objective.dataset.features(task: task, split: .validation)
            let expected = objective.outputs(task: task, split: .validation, at: checkpoint.parameters)
            #expect(checkpoint.outputs(task: task, features: features) == expected)
        }
    }

    @Test("The summary names the model, P, the fingerprint and the training report")
    func summaryDescribesCheckpoint() throws {
        let (checkpoint, objective) = try CheckpointFixtures.checkpoint(ModelCase.all[3])
        let text = checkpoint.summary(path: "model.json")
        #expect(text.contains("hard:4tanh"))
        #expect(text.contains("P = \(objective.parameterCount)"))
        #expect(text.contains(objective.dataset.fingerprint()))
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("method") && $0.hasSuffix("adam+l-bfgs") })
        #expect(lines.contains { $0.hasPrefix("converged") && $0.hasSuffix("yes") })
        #expect(text.contains("multiclass:3"))
    }
}
