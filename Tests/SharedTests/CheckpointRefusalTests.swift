import Foundation
import Testing

@testable import Shared

@Suite("Checkpoint refusals: every damaged file and every mismatched dataset has its error code")
struct CheckpointRefusalTests {
    /// A two-layer trunk with mixed heads: task blocks with bias, a shared block of two layers.
    static let modelCase = ModelCase.all[5]

    /// Writes the fixture checkpoint, lets `damage` edit the files, then reads them back.
    private func readAfter(_ damage: (String) throws -> Void) throws -> CheckpointError? {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(Self.modelCase)
        let path = try CheckpointFixtures.written(checkpoint)
        defer { CheckpointFixtures.remove(path) }
        try damage(path)
        return CheckpointFixtures.checkpointError { _ = try Checkpoint.read(from: path) }
    }

    // MARK: - Applying to data

    @Test("Another dataset of the same shape is refused with both fingerprints and the description")
    func otherDataIsRefused() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(Self.modelCase, seed: 11)
        let other = try Self.modelCase.makeObjective(seed: 12).dataset
        let error = CheckpointFixtures.checkpointError {
            _ = try checkpoint.makeObjective(dataset: other, datasetDescription: "fixture --seed 12")
        }
        #expect(error?.code == .datasetMismatch)
        #expect(error?.category == .usage)
        #expect(error?.message.contains(checkpoint.dataset!.fingerprint) == true)
        #expect(error?.message.contains(other.fingerprint()) == true)
        #expect(error?.message.contains("'fixture --seed 11'") == true)
    }

    @Test("Imported weights without a dataset record apply to any dataset of the right shape")
    func importWithoutFingerprintIsAccepted() throws {
        let (recorded, _) = try CheckpointFixtures.checkpoint(Self.modelCase, seed: 11)
        let imported = try Checkpoint(
            architecture: recorded.architecture, regularization: recorded.regularization,
            featureCount: recorded.featureCount, taskNames: recorded.taskNames, targetKinds: recorded.targetKinds,
            parameters: recorded.parameters, createdBy: "elsewhere")
        let other = try Self.modelCase.makeObjective(seed: 12).dataset
        #expect(try imported.makeObjective(dataset: other).parameterCount == recorded.parameters.count)
    }

    @Test("A dataset with other features, tasks, task names or target kinds is refused")
    func incompatibleDatasetsAreRefused() throws {
        let (checkpoint, objective) = try CheckpointFixtures.checkpoint(Self.modelCase)
        let dataset = objective.dataset
        let moreFeatures = ModelFixtures.dataset(
            layout: .disjoint, targetKinds: ModelCase.mixedTasks, featureCount: 5, trainCounts: [8, 11, 6], seed: 3)
        let fewerTasks = ModelFixtures.dataset(
            layout: .disjoint, targetKinds: [.regression, .binary], featureCount: 4, trainCounts: [8, 11], seed: 3)
        let otherKinds = ModelFixtures.dataset(
            layout: .disjoint, targetKinds: [.regression, .binary, .multiclass(classes: 4)], featureCount: 4,
            trainCounts: [8, 11, 6], seed: 3)
        let cases: [(MultitaskDataset, String)] = [
            (moreFeatures, "features: 4"), (fewerTasks, "tasks: 3"),
            (CheckpointFixtures.renaming(dataset, task: 1, to: "renamed"), "'renamed'"),
            (otherKinds, "multiclass:4"),
        ]
        for (candidate, phrase) in cases {
            let error = CheckpointFixtures.checkpointError { _ = try checkpoint.makeObjective(dataset: candidate) }
            #expect(error?.code == .incompatibleDataset)
            #expect(error?.message.contains(phrase) == true, "\(error?.message ?? "")")
        }
    }

    // MARK: - Arrays

    @Test("A missing array is refused by name with its expected shape")
    func missingArrayIsRefused() throws {
        let error = try readAfter { path in
            try CheckpointFixtures.editArchive(path) { $0["shared/layers/1/bias"] = nil }
        }
        #expect(error?.code == .missingArray)
        #expect(error?.message.contains("'shared/layers/1/bias'") == true)
        #expect(error?.message.contains("[3]") == true)
    }

    @Test("An array the architecture has no place for is refused by name")
    func unexpectedArrayIsRefused() throws {
        let error = try readAfter { path in
            try CheckpointFixtures.editArchive(path) {
                $0["shared/layers/2/weight"] = NDArray(shape: [1], elements: [1])
            }
        }
        #expect(error?.code == .unexpectedArray)
        #expect(error?.message.contains("'shared/layers/2/weight'") == true)
    }

    @Test("A transposed weight is refused with the expected and found shapes and a hint")
    func transposedWeightIsRefused() throws {
        let error = try readAfter { path in
            try CheckpointFixtures.editArchive(path) { archive in
                let weight = archive["shared/layers/1/weight"]!
                archive["shared/layers/1/weight"] = NDArray(shape: [3, 4], elements: weight.elements)
            }
        }
        #expect(error?.code == .shapeMismatch)
        #expect(error?.message.contains("shape [3, 4]; expected [4, 3]") == true)
        #expect(error?.message.contains("transposed") == true)
    }

    @Test("An integer array is refused as an unsupported type")
    func integerArrayIsRefused() throws {
        let error = try readAfter { path in
            try CheckpointFixtures.editArchive(path) { archive in
                archive["tasks/0/layers/0/bias"] = NDArray(shape: [1], elements: [2], dataType: .int64)
            }
        }
        #expect(error?.code == .unsupportedArrayType)
        #expect(error?.message.contains("<i8") == true)
    }

    @Test("A NaN parameter is refused with its array and position")
    func nonFiniteArrayIsRefused() throws {
        let error = try readAfter { path in
            try CheckpointFixtures.editArchive(path) { archive in
                var weight = archive["shared/layers/0/weight"]!
                weight.elements[5] = .nan
                archive["shared/layers/0/weight"] = weight
            }
        }
        #expect(error?.code == .nonFiniteParameter)
        #expect(error?.message.contains("'shared/layers/0/weight'") == true)
        #expect(error?.message.contains("flat index 5") == true)
    }

    @Test("An infinite parameter is refused when a checkpoint is made in memory")
    func nonFiniteParametersInMemoryAreRefused() throws {
        let (checkpoint, _) = try CheckpointFixtures.checkpoint(Self.modelCase)
        var w = checkpoint.parameters
        w[3] = .infinity
        let error = CheckpointFixtures.checkpointError {
            _ = try Checkpoint(
                architecture: checkpoint.architecture, regularization: checkpoint.regularization,
                featureCount: checkpoint.featureCount, taskNames: checkpoint.taskNames,
                targetKinds: checkpoint.targetKinds, parameters: w, createdBy: "tests")
        }
        #expect(error?.code == .nonFiniteParameter)
    }

    @Test("An archive replaced after the JSON was written fails the SHA-256 check")
    func changedArchiveFailsChecksum() throws {
        let error = try readAfter { path in
            let npzPath = Checkpoint.parametersPath(forJSON: path)
            var archive = try NPZArchive.read(path: npzPath)
            var bias = archive["tasks/1/layers/0/bias"]!
            bias.elements[0] += 1
            archive["tasks/1/layers/0/bias"] = bias
            try archive.write(to: npzPath)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.message.contains("parametersSHA256") == true)
    }
}
