/// Turns an `ExamplePool` into a `MultitaskDataset`: target kinds, seeded splits, checks for
/// empty tasks, and standardisation fitted on the train split.
///
/// Splits are drawn per task in the disjoint layout (each task keeps the configured fractions)
/// and over inputs with shared inputs (an input and all its labels go to one split). Rows of
/// every split are kept in source order. Stratification by class is not done.
public enum DatasetAssembler {
    /// Builds the dataset.
    ///
    /// - Parameters:
    ///   - pool: every example available for training and validation (and testing, unless
    ///     `fixedTest` is given).
    ///   - fixedTest: examples that form the test split as they are, with the same tasks and
    ///     features as `pool`; the configured train and validation fractions are then rescaled
    ///     to share `pool`.
    ///   - configuration: fractions, seed, standardisation and target kinds.
    /// - Throws: `DataError.Code.labelOutOfRange` for a target its task's kind does not allow;
    ///   `.emptyTask` for a task with no examples in some split, or a pool without tasks.
    /// - Complexity: O(inputs × features + total examples).
    public static func assemble(
        _ pool: ExamplePool, fixedTest: ExamplePool? = nil, configuration: DatasetConfiguration
    ) throws -> MultitaskDataset {
        guard !pool.tasks.isEmpty else {
            throw DataError(.emptyTask, path: pool.path, "Expected at least one task, found none.")
        }
        if let fixedTest {
            precondition(fixedTest.taskNames == pool.taskNames, "A fixed test set needs the same tasks")
        }
        let kinds = try resolveKinds(pool, fixedTest, configuration.targetKinds)

        var splitter = SeededSplitter(seed: configuration.seed)
        let fractions = fixedTest == nil ? configuration.fractions : configuration.fractions.withoutTest
        let selections = select(pool, fractions: fractions, splitter: &splitter)
        var splits = selections.mapValues { gather(pool, selections: $0) }
        if let fixedTest {
            splits[.test] = gather(fixedTest, selections: fixedTest.tasks.map { Array($0.rows.indices) })
        }
        try requireNonEmpty(splits, pool, fixedTest: fixedTest != nil, fractions: configuration.fractions)

        return publish(pool, splits: splits, kinds: kinds, standardizes: configuration.standardizesFeatures)
    }

    // MARK: - Steps

    /// Each task's kind (configuration first, then the source's, then inference), checked
    /// against every target.
    private static func resolveKinds(
        _ pool: ExamplePool, _ fixedTest: ExamplePool?, _ choice: TargetKindChoice
    ) throws
        -> [TargetKind]
    {
        try pool.taskNames.indices.map { task in
            let values = pool.tasks[task].targets + (fixedTest?.tasks[task].targets ?? [])
            let declared = choice.declaredKind(of: pool.taskNames[task]) ?? pool.declaredKinds[task]
            let kind = declared ?? TargetKindInference.infer(values)
            for source in [pool] + (fixedTest.map { [$0] } ?? []) {
                try requireTargets(of: task, in: source, accept: kind)
            }
            return kind
        }
    }

    private static func requireTargets(of task: Int, in pool: ExamplePool, accept kind: TargetKind) throws {
        let examples = pool.tasks[task]
        guard let bad = examples.targets.firstIndex(where: { !TargetKindInference.accepts($0, as: kind) }) else {
            return
        }
        throw DataError(
            .labelOutOfRange, path: pool.path, location: pool.locate(examples.rows[bad], task),
            "Task '\(pool.taskNames[task])' is \(kind), which allows \(TargetKindInference.allowedValues(of: kind)); "
                + "found \(examples.targets[bad]). Fix the label or declare another target kind.")
    }

    /// For each split, each task's chosen example positions.
    private static func select(
        _ pool: ExamplePool, fractions: SplitFractions, splitter: inout SeededSplitter
    )
        -> [Split: [[Int]]]
    {
        switch pool.layout {
        case .sharedInputs:
            precondition(
                pool.tasks.allSatisfy { $0.rows.elementsEqual(0..<pool.inputCount) },
                "With shared inputs every task lists every row in order")
            let parts = splitter.partition(pool.inputCount, fractions: fractions)
            return parts.mapValues { positions in Array(repeating: positions, count: pool.tasks.count) }
        case .disjoint:
            let parts = pool.tasks.map { splitter.partition($0.count, fractions: fractions) }
            return Dictionary(uniqueKeysWithValues: Split.allCases.map { split in (split, parts.map { $0[split]! }) })
        }
    }

    /// The split holding the selected examples: the inputs they use (once each, in source
    /// order) and each task's rows renumbered into them.
    private static func gather(_ pool: ExamplePool, selections: [[Int]]) -> SplitData {
        var isUsed = [Bool](repeating: false, count: pool.inputCount)
        for (task, positions) in selections.enumerated() {
            for position in positions { isUsed[pool.tasks[task].rows[position]] = true }
        }
        let inputs = isUsed.indices.filter { isUsed[$0] }
        var renumbered = [Int](repeating: -1, count: pool.inputCount)
        for (index, input) in inputs.enumerated() { renumbered[input] = index }
        let tasks = selections.enumerated().map { task, positions in
            let examples = pool.tasks[task]
            return TaskExamples(
                rows: positions.map { renumbered[examples.rows[$0]] }, targets: positions.map { examples.targets[$0] })
        }
        return SplitData(
            features: pool.features.rows(at: inputs), sourceIDs: inputs.map { pool.sourceIDs[$0] }, tasks: tasks)
    }

    private static func requireNonEmpty(
        _ splits: [Split: SplitData], _ pool: ExamplePool, fixedTest: Bool, fractions: SplitFractions
    ) throws {
        for split in Split.allCases {
            for (task, examples) in splits[split]!.tasks.enumerated() where examples.count == 0 {
                let total = pool.tasks[task].count
                let origin = fixedTest && split == .test ? "the test set has none" : "\(total) examples in total"
                throw DataError(
                    .emptyTask, path: pool.path, location: .task(pool.taskNames[task], split: split),
                    "Expected examples of every task in every split, found none here (\(origin); fractions "
                        + "\(fractions)). Give the task more examples or change --fractions.")
            }
        }
    }

    /// Fits standardisation on train (when asked), applies it everywhere and builds the dataset.
    private static func publish(
        _ pool: ExamplePool, splits: [Split: SplitData], kinds: [TargetKind], standardizes: Bool
    )
        -> MultitaskDataset
    {
        var splits = splits
        let standardization = standardizes ? FeatureStandardization.fit(to: splits[.train]!.features) : nil
        if let standardization {
            for split in Split.allCases { splits[split]!.features = standardization.apply(to: splits[split]!.features) }
        }
        let tasks = zip(pool.taskNames, kinds).map { TaskDescription(name: $0, targetKind: $1) }
        return MultitaskDataset(
            name: pool.name, layout: pool.layout, featureNames: pool.featureNames, tasks: tasks, train: splits[.train]!,
            validation: splits[.validation]!, test: splits[.test]!, standardization: standardization)
    }
}
