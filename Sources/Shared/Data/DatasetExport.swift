/// The splits of a dataset exactly as mtif sees them (after splitting and standardisation), as
/// NumPy arrays, so that other tools can compute on the same numbers.
///
/// For every split s in (train, validation, test):
/// - `X_s`: inputs × features, float64, the split's feature matrix;
/// - `source_s`: inputs, int64, each row's position in the source file;
/// - shared-inputs layout: `Y_s`, inputs × K targets (every task lists every input in order);
/// - disjoint layout: `y_s` and `task_s` (examples), and `row_s` (the example's row of `X_s`),
///   task by task in task order, positions within a task in order.
/// Task names are strings, which `.npy` holds only through pickling; `mtif data export` writes
/// them to a companion JSON file instead.
public enum DatasetExport {
    /// The arrays described above.
    public static func archive(_ dataset: MultitaskDataset) -> NPZArchive {
        var entries: [(name: String, array: NDArray)] = []
        for split in Split.allCases {
            let data = dataset[split]
            entries.append(("X_\(split.rawValue)", NDArray(matrix: data.features)))
            entries.append(("source_\(split.rawValue)", vector(data.sourceIDs.map(Double.init), .int64)))
            entries += dataset.layout == .sharedInputs ? sharedTargets(data, split) : disjointTargets(data, split)
        }
        return NPZArchive(entries)
    }

    private static func sharedTargets(_ data: SplitData, _ split: Split) -> [(name: String, array: NDArray)] {
        let inputs = data.features.rows
        var targets = [Double](repeating: .nan, count: inputs * data.tasks.count)
        for (task, examples) in data.tasks.enumerated() {
            for (row, target) in zip(examples.rows, examples.targets) {
                targets[row * data.tasks.count + task] = target
            }
        }
        return [("Y_\(split.rawValue)", NDArray(shape: [inputs, data.tasks.count], elements: targets))]
    }

    private static func disjointTargets(_ data: SplitData, _ split: Split) -> [(name: String, array: NDArray)] {
        let tasks = data.tasks.enumerated().flatMap { task, examples in
            Array(repeating: Double(task), count: examples.count)
        }
        return [
            ("y_\(split.rawValue)", vector(data.tasks.flatMap(\.targets), .float64)),
            ("task_\(split.rawValue)", vector(tasks, .int64)),
            ("row_\(split.rawValue)", vector(data.tasks.flatMap(\.rows).map(Double.init), .int64)),
        ]
    }

    private static func vector(_ values: [Double], _ type: NumPyDataType) -> NDArray {
        NDArray(shape: [values.count], elements: values, dataType: type)
    }
}
