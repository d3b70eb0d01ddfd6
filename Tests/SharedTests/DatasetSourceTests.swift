import Foundation
import Testing

@testable import Shared

@Suite("Dataset sources: CSV and .npz layouts, command-line resolution")
struct DatasetSourceTests {
    /// Thirds, so that the three-example tasks of the fixtures fill every split.
    static let thirds = DatasetConfiguration(
        fractions: try! SplitFractions(train: 1.0 / 3, validation: 1.0 / 3, test: 1.0 / 3), standardizesFeatures: false)

    static let disjointCSV = """
        group,f1,f2,y
        b,1,10,0.5
        a,2,20,1.5
        b,3,30,2.5
        a,4,40,3.5
        b,5,50,4.5
        a,6,60,5.5
        """

    static func load(
        _ text: String, layout: CSVLayout, configuration: DatasetConfiguration = thirds
    ) throws
        -> MultitaskDataset
    {
        let path = try FixtureFiles.temporaryFile(text)
        defer { FixtureFiles.remove(path) }
        return try DatasetSource.csv(path: path, layout: layout).load(
            configuration: configuration, dataDirectory: DataDirectory(path: "/nonexistent"))
    }

    @Test("A task column gives disjoint tasks in order of first appearance; other columns are features")
    func csvTaskColumn() throws {
        let dataset = try Self.load(Self.disjointCSV, layout: CSVLayout(tasks: .taskColumn("group", targetColumn: "y")))
        #expect(dataset.layout == .disjoint)
        #expect(dataset.tasks.map(\.name) == ["b", "a"])
        #expect(dataset.featureNames == ["f1", "f2"])
        #expect(dataset.tasks.allSatisfy { $0.targetKind == .regression })
        let bTargets = Split.allCases.flatMap { dataset.targets(task: 0, split: $0) }.sorted()
        #expect(bTargets == [0.5, 2.5, 4.5])
        let aFeatures = Split.allCases.flatMap { dataset.features(task: 1, split: $0).column(0) }.sorted()
        #expect(aFeatures == [2, 4, 6])
    }

    @Test("Target columns or a prefix give shared-input tasks; listed feature columns are kept in order")
    func csvTargetColumns() throws {
        let text = "x1,x2,label_a,label_b\n1,2,0,1\n3,4,1,1\n5,6,0,0\n7,8,1,0\n9,10,1,1\n11,12,0,0\n"
        let byList = try Self.load(text, layout: CSVLayout(tasks: .targetColumns(["label_b", "label_a"])))
        #expect(byList.layout == .sharedInputs)
        #expect(byList.tasks.map(\.name) == ["label_b", "label_a"])
        let byPrefix = try Self.load(
            text, layout: CSVLayout(tasks: .targetPrefix("label_"), featureColumns: ["x2", "x1"]))
        #expect(byPrefix.tasks.map(\.name) == ["label_a", "label_b"])
        #expect(byPrefix.featureNames == ["x2", "x1"])
        #expect(byPrefix.tasks.allSatisfy { $0.targetKind == .binary })
        let inputs = Split.allCases.map { byPrefix[$0].features.rows }.reduce(0, +)
        #expect(inputs == 6)
    }

    @Test("Layout errors: a missing column, a clash of feature and target, an empty task name")
    func csvLayoutErrors() throws {
        let missing = try #require(throws: DataError.self) {
            try Self.load(Self.disjointCSV, layout: CSVLayout(tasks: .taskColumn("task", targetColumn: "y")))
        }
        #expect(missing.code == .missingColumn)
        #expect(throws: UsageError.self) {
            try Self.load(
                Self.disjointCSV,
                layout: CSVLayout(tasks: .taskColumn("group", targetColumn: "y"), featureColumns: ["f1", "y"]))
        }
        let blank = try #require(throws: DataError.self) {
            try Self.load(
                "group,f1,y\nb,1,0\n,2,1\n", layout: CSVLayout(tasks: .taskColumn("group", targetColumn: "y")))
        }
        #expect(blank.code == .missingValue)
        #expect(blank.location == .field(line: 3, column: "group"))
    }

    @Test("A NaN feature in a CSV dataset is reported with its line and column")
    func csvNaNFeature() throws {
        let text = Self.disjointCSV.replacingOccurrences(of: "a,4,40", with: "a,4,nan")
        let error = try #require(throws: DataError.self) {
            try Self.load(text, layout: CSVLayout(tasks: .taskColumn("group", targetColumn: "y")))
        }
        #expect(error.code == .nonFiniteValue)
        #expect(error.location == .field(line: 5, column: "f2"))
    }

    @Test("An .npz with X and Y is shared inputs; with X, y and task it is disjoint")
    func npzLayouts() throws {
        let shared = try DatasetSource.npz(path: FixtureFiles.path("shared.npz")).load(
            configuration: Self.thirds, dataDirectory: DataDirectory(path: "/nonexistent"))
        #expect(shared.layout == .sharedInputs && shared.name == "shared")
        #expect(shared.tasks.map(\.name) == ["task0", "task1"] && shared.featureNames == ["x0", "x1"])
        let disjoint = try DatasetSource.npz(path: FixtureFiles.path("disjoint.npz")).load(
            configuration: Self.thirds, dataDirectory: DataDirectory(path: "/nonexistent"))
        #expect(disjoint.layout == .disjoint)
        #expect(disjoint.tasks.map(\.name) == ["task0", "task1"])
        #expect(disjoint.tasks.map(\.targetKind) == [.regression, .multiclass(classes: 3)], "2, 0, 1 read as classes")
    }

    @Test("An .npz whose Y has fewer rows than X is a shape mismatch naming Y")
    func npzShapeMismatch() throws {
        let archive = NPZArchive([
            ("X", NDArray(shape: [4, 2], elements: Array(repeating: 1, count: 8))),
            ("Y", NDArray(shape: [3, 1], elements: [0, 1, 0])),
        ])
        let error = try #require(throws: DataError.self) {
            try NPZPoolBuilder.makePool(archive, path: "bad.npz", name: "bad")
        }
        #expect(error.code == .shapeMismatch)
        #expect(error.location == .array("Y"))
    }

    @Test("An .npz with NaN features, or without the layout's arrays, is refused")
    func npzBadContents() throws {
        let nan = NPZArchive([
            ("X", NDArray(shape: [2, 2], elements: [1, 2, .nan, 4])), ("Y", NDArray(shape: [2], elements: [0, 1])),
        ])
        let nanError = try #require(throws: DataError.self) {
            try NPZPoolBuilder.makePool(nan, path: "n.npz", name: "n")
        }
        #expect(nanError.code == .nonFiniteValue)
        #expect(nanError.location == .arrayElement("X", index: 1))
        let bare = NPZArchive([("X", NDArray(shape: [2, 1], elements: [1, 2]))])
        let bareError = try #require(throws: DataError.self) {
            try NPZPoolBuilder.makePool(bare, path: "b.npz", name: "b")
        }
        #expect(bareError.code == .missingArray)
    }

    @Test("Arguments resolve to files by extension and to built-ins by name")
    func resolution() throws {
        let layout = CSVLayout(tasks: .targetPrefix("y"))
        #expect(try DatasetSource.resolve("a.csv.gz", csvLayout: layout) == .csv(path: "a.csv.gz", layout: layout))
        #expect(try DatasetSource.resolve("a.npz", csvLayout: nil) == .npz(path: "a.npz"))
        #expect(try DatasetSource.resolve("yeast", csvLayout: nil) == .builtin(.yeast))
        for argument in ["a.csv", "a.npy", "imagenet"] {
            #expect(throws: UsageError.self) { try DatasetSource.resolve(argument, csvLayout: nil) }
        }
    }
}
