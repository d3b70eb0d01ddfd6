import Foundation
import Testing

@testable import Shared

@Suite("Parameter layout and model construction")
struct ParameterLayoutTests {
    static let tanhLayer = HiddenLayer(width: 5, activation: .tanh)

    @Test("Linear hard sharing lays out K task matrices then the shared matrix, without biases")
    func linearHardSharingLayout() throws {
        let model = try MultitaskModel(
            architecture: .hardSharingLinear, featureCount: 4,
            targetKinds: [.multiclass(classes: 3), .multiclass(classes: 3)])
        let layout = model.layout
        #expect(layout.taskBlocks.map(\.range) == [0..<12, 12..<24])
        #expect(layout.sharedBlock.range == 24..<36)
        #expect(layout.sharedBlock.layers == [LayerSlice(inputs: 4, outputs: 3, weightOffset: 24, biasOffset: nil)])
    }

    @Test("Trunk layout puts heads of each task's width first and the trunk layers last")
    func trunkLayout() throws {
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [Self.tanhLayer, HiddenLayer(width: 2, activation: .softplus)]),
            featureCount: 3, targetKinds: [.regression, .multiclass(classes: 4)])
        let layout = model.layout
        #expect(layout.taskBlocks[0].layers == [LayerSlice(inputs: 2, outputs: 1, weightOffset: 0, biasOffset: 2)])
        #expect(layout.taskBlocks[1].layers == [LayerSlice(inputs: 2, outputs: 4, weightOffset: 3, biasOffset: 11)])
        #expect(
            layout.sharedBlock.layers == [
                LayerSlice(inputs: 3, outputs: 5, weightOffset: 15, biasOffset: 30),
                LayerSlice(inputs: 5, outputs: 2, weightOffset: 35, biasOffset: 45),
            ])
        #expect(layout.count == 47)
    }

    @Test("Soft sharing gives every task and the centre the same block shape")
    func softSharingLayout() throws {
        let model = try MultitaskModel(
            architecture: .softSharing(hidden: [Self.tanhLayer]), featureCount: 3,
            targetKinds: [.binary, .binary, .binary])
        let blocks = model.layout.taskBlocks + [model.layout.sharedBlock]
        #expect(blocks.allSatisfy { $0.count == 3 * 5 + 5 + 5 + 1 })
        #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound })
    }

    @Test("Architecture, layout and penalty survive a JSON round trip")
    func codableRoundTrip() throws {
        let architecture = ModelArchitecture.hardSharing(trunk: [Self.tanhLayer])
        let model = try MultitaskModel(
            architecture: architecture, featureCount: 3, targetKinds: [.binary, .regression])
        let regularization = Regularization(l2: 0.25, coupling: 1.5)
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        #expect(try decoder.decode(ModelArchitecture.self, from: encoder.encode(architecture)) == architecture)
        #expect(try decoder.decode(ParameterLayout.self, from: encoder.encode(model.layout)) == model.layout)
        #expect(try decoder.decode(Regularization.self, from: encoder.encode(regularization)) == regularization)
    }

    @Test("Mixed output widths are refused where parameters must share a shape")
    func mixedWidthsAreRefused() {
        for architecture in [ModelArchitecture.hardSharingLinear, .softSharing(hidden: [])] {
            #expect(throws: ModelError.self) {
                try MultitaskModel(
                    architecture: architecture, featureCount: 2, targetKinds: [.binary, .multiclass(classes: 3)])
            }
        }
        #expect(throws: Never.self) {
            try MultitaskModel(
                architecture: .hardSharing(trunk: []), featureCount: 2, targetKinds: [.binary, .multiclass(classes: 3)])
        }
    }

    @Test("Objective construction refuses invalid targets, empty tasks and negative penalties")
    func objectiveRefusesBadInput() throws {
        var dataset = ModelFixtures.dataset(
            layout: .disjoint, targetKinds: [.binary, .multiclass(classes: 3)], featureCount: 2, trainCounts: [4, 4],
            seed: 51)
        let model = try MultitaskModel(architecture: .hardSharing(trunk: []), dataset: dataset)
        #expect(throws: ModelError.self) {
            try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: -1))
        }
        var badTarget = dataset
        badTarget.validation.tasks[1].targets[0] = 3
        #expect(throws: ModelError.self) {
            try MultitaskObjective(model: model, dataset: badTarget, regularization: Regularization(l2: 1))
        }
        dataset.train.tasks[0] = TaskExamples(rows: [], targets: [])
        #expect(throws: ModelError.self) {
            try MultitaskObjective(model: model, dataset: dataset, regularization: Regularization(l2: 1))
        }
    }

    @Test("Initial parameters are a pure function of the seed, with zero biases")
    func initialParametersFollowTheSeed() throws {
        let model = try MultitaskModel(
            architecture: .hardSharing(trunk: [Self.tanhLayer]), featureCount: 3, targetKinds: [.binary, .binary])
        let first = model.makeInitialParameters(seed: 7)
        #expect(first == model.makeInitialParameters(seed: 7))
        #expect(first != model.makeInitialParameters(seed: 8))
        let biases = (model.layout.taskBlocks + [model.layout.sharedBlock]).flatMap(\.layers).flatMap {
            Array($0.biasRange)
        }
        #expect(biases.allSatisfy { first[$0] == 0 })
        #expect(first.enumerated().filter { !biases.contains($0.offset) }.allSatisfy { $0.element != 0 })
    }
}
