import Testing

@testable import Shared

/// A PyTorch hard-sharing network exported by scripts/peer/export_torch_checkpoint.py with the
/// recipe of docs/checkpoints.md: a 4 → 5 tanh trunk and heads for a binary, a regression and a
/// 3-class task, with PyTorch's float64 outputs for six input rows (heads side by side, 6 × 5).
@Suite("PyTorch export: mtif reads the exported checkpoint and reproduces PyTorch's outputs")
struct TorchExportTests {
    /// Both sides evaluate the same float64 network, differing only in the order of summation
    /// inside the matrix products and in tanh's last bit: about 1e-16 relative per operation on
    /// outputs of order 1–10, so 1e-12 absolute is loose for rounding and far below any layout
    /// error (a transposed or misplaced weight changes outputs at order 1).
    static let outputTolerance = 1e-12

    static func fixture() throws -> (Checkpoint, inputs: Matrix, outputs: Matrix) {
        let checkpoint = try Checkpoint.read(from: FixtureFiles.path("torch-checkpoint.json"))
        let inputs = try #require(try NPYFormat.read(path: FixtureFiles.path("torch-inputs.npy")).matrix)
        let outputs = try #require(try NPYFormat.read(path: FixtureFiles.path("torch-outputs.npy")).matrix)
        return (checkpoint, inputs, outputs)
    }

    @Test("The exported checkpoint reads as hard sharing with a 5-unit tanh trunk and three heads")
    func exportReadsAsDescribed() throws {
        let (checkpoint, _, _) = try Self.fixture()
        #expect(checkpoint.architecture == .hardSharing(trunk: [HiddenLayer(width: 5, activation: .tanh)]))
        #expect(checkpoint.taskNames == ["churn", "spend", "segment"])
        #expect(checkpoint.targetKinds == [.binary, .regression, .multiclass(classes: 3)])
        #expect(checkpoint.parameters.count == (5 + 1) * 2 + (5 + 1) * 3 + (4 + 1) * 5)
        #expect(checkpoint.dataset == nil && checkpoint.training == nil)
    }

    @Test("mtif's outputs for every head equal PyTorch's to 1e-12")
    func outputsMatchTorch() throws {
        let (checkpoint, inputs, expected) = try Self.fixture()
        var column = 0
        for task in checkpoint.taskNames.indices {
            let outputs = checkpoint.outputs(task: task, features: inputs)
            for row in 0..<inputs.rows {
                for output in 0..<outputs.columns {
                    #expect(abs(outputs[row, output] - expected[row, column + output]) <= Self.outputTolerance)
                }
            }
            column += outputs.columns
        }
        #expect(column == expected.columns)
    }

    @Test("The objective built from the export on a dataset of those inputs gives the same outputs")
    func objectiveOutputsMatchTorch() throws {
        let (checkpoint, inputs, expected) = try Self.fixture()
        let taskCount = checkpoint.taskNames.count
        let examples = TaskExamples(rows: Array(0..<inputs.rows), targets: [Double](repeating: 0, count: inputs.rows))
        let split = SplitData(
            features: inputs, sourceIDs: Array(0..<inputs.rows),
            tasks: [TaskExamples](repeating: examples, count: taskCount))
        let dataset = MultitaskDataset(
            name: "torch-inputs", layout: .sharedInputs, featureNames: (0..<inputs.columns).map { "x\($0)" },
            tasks: zip(checkpoint.taskNames, checkpoint.targetKinds).map { TaskDescription(name: $0, targetKind: $1) },
            train: split, validation: split, test: split)

        let objective = try checkpoint.makeObjective(dataset: dataset)
        let outputs = (0..<taskCount).map { objective.outputs(task: $0, at: checkpoint.parameters) }
        let joined = Matrix(rowArrays: (0..<inputs.rows).map { row in outputs.flatMap { $0.row(row) } })
        #expect(joined.maxAbsoluteDifference(to: expected) <= Self.outputTolerance)
    }
}
