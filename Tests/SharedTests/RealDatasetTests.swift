import Foundation
import Testing

@testable import Shared

private let repositoryData = RealData.directory
private let hasYeast = RealData.hasYeast
private let hasDigits = RealData.hasDigits
private let hasFashion = RealData.hasFashionMNIST

@Suite("Built-in datasets on the real files (skipped when scripts/fetch-data has not run)")
struct RealDatasetTests {
    static let raw = DatasetConfiguration(standardizesFeatures: false)

    @Test("Yeast: 2417 genes, 103 features, 14 binary tasks with the published label counts", .enabled(if: hasYeast))
    func yeast() throws {
        let pool = try BuiltinDataset.yeastPool(dataDirectory: repositoryData)
        #expect(pool.features.rows == 2417 && pool.features.columns == 103 && pool.tasks.count == 14)
        #expect(pool.taskNames.first == "Class1" && pool.featureNames.last == "Att103")
        #expect(pool.features.row(0).prefix(3).elementsEqual([0.004168, -0.170975, -0.156748]))
        let positives = pool.tasks.map { Int($0.targets.reduce(0, +)) }
        #expect(positives == [762, 1038, 983, 862, 722, 597, 428, 480, 178, 253, 289, 1816, 1799, 34])

        let dataset = try DatasetSource.builtin(.yeast).load(
            configuration: DatasetConfiguration(), dataDirectory: repositoryData)
        #expect(dataset.layout == .sharedInputs && dataset.tasks.allSatisfy { $0.targetKind == .binary })
        #expect(Split.allCases.map { dataset[$0].features.rows }.reduce(0, +) == 2417)
        #expect(dataset.train.features.rows == 1450)
    }

    @Test("Digits: 1797 images of 64 pixels; five disjoint pairs by default", .enabled(if: hasDigits))
    func digits() throws {
        let (pool, test) = try BuiltinDataset.digits(.multiclass).makePools(dataDirectory: repositoryData, seed: 0)
        #expect(test == nil)
        #expect(pool.features.rows == 1797 && pool.features.columns == 64)
        #expect(pool.features.row(0).prefix(8).elementsEqual([0, 0, 5, 13, 9, 1, 0, 0]))
        #expect(pool.tasks[0].targets.prefix(4).elementsEqual([0, 1, 2, 3]))

        let dataset = try DatasetSource.builtin(.digits(.standardPairs)).load(
            configuration: Self.raw, dataDirectory: repositoryData)
        #expect(dataset.layout == .disjoint && dataset.taskCount == 5 && dataset.tasks[0].name == "0-vs-1")
        let zeroOrOne = Split.allCases.map { dataset[$0].tasks[0].count }.reduce(0, +)
        let ones = Split.allCases.map { dataset[$0].tasks[0].targets.reduce(0, +) }.reduce(0, +)
        #expect(zeroOrOne == 178 + 182 && ones == 182)
    }

    @Test("Fashion-MNIST: 60000 training images of 28×28 with 6000 per class", .enabled(if: hasFashion))
    func fashionFiles() throws {
        let directory = "/usr/share/datasets/fashion-mnist"
        let images = try IDXReader.read(path: "\(directory)/train-images-idx3-ubyte.gz", dimensionCount: 3)
        let labels = try IDXReader.read(path: "\(directory)/train-labels-idx1-ubyte.gz", dimensionCount: 1)
        #expect(images.dimensions == [60000, 28, 28])
        #expect(labels.elements.first == 9, "the first training image is an ankle boot")
        var counts = [Int](repeating: 0, count: 10)
        for label in labels.elements { counts[Int(label)] += 1 }
        #expect(counts == Array(repeating: 6000, count: 10))
    }

    @Test(
        "Fashion-MNIST pairs subsample per task and take the test split from the test files", .enabled(if: hasFashion))
    func fashionPairs() throws {
        let source = try DatasetSource.resolve("fashion-mnist:n=200,test-n=40", csvLayout: nil)
        let dataset = try source.load(configuration: Self.raw, dataDirectory: repositoryData)
        #expect(dataset.taskCount == 5 && dataset.featureCount == 784 && dataset.layout == .disjoint)
        #expect(dataset.tasks[0].name == "tshirt-vs-trouser")
        #expect(dataset.train.tasks.map(\.count) == Array(repeating: 150, count: 5))
        #expect(dataset.test.tasks.map(\.count) == Array(repeating: 40, count: 5))
        #expect(dataset.train.features.elements.allSatisfy { (0...1).contains($0) })
        #expect(dataset.train.features.elements.contains { $0 > 0.99 })
    }

    @Test("Fashion-MNIST one-vs-rest shares inputs across ten tasks", .enabled(if: hasFashion))
    func fashionOneVsRest() throws {
        let source = try DatasetSource.resolve("fashion-mnist:tasks=one-vs-rest,n=300,test-n=100", csvLayout: nil)
        let dataset = try source.load(configuration: DatasetConfiguration(), dataDirectory: repositoryData)
        #expect(dataset.layout == .sharedInputs && dataset.taskCount == 10)
        #expect(dataset.train.features.rows == 225 && dataset.test.features.rows == 100)
        let positives = (0..<10).map { dataset.test.tasks[$0].targets.reduce(0, +) }.reduce(0, +)
        #expect(positives == 100, "each test image is positive for exactly one task")
    }
}
