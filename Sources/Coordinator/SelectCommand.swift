import Foundation
import Shared

/// `mtif select`: data selection against negative transfer, judged on the held-out test split.
enum SelectCommand {
    static let command = Subcommand(
        name: "select",
        summary: "Remove the training examples that harm a task, retrain, and compare on the test split",
        help: """
            Usage: mtif select RUN_DIR --target TASK|all [options]

            Reads a score run (mtif score --out RUN_DIR), removes the training examples whose
            MTIF scores say they harm the target (score > 0 for the target's validation loss:
            removing them is predicted to lower it; for --target all, the sum of the scores
            over every task's validation loss), retrains from the scored model ŵ, and measures
            every task's loss and accuracy on the test split, which took no part in scoring.
            Beside it: the full-data model, random removal of as many examples from the same
            candidates (one retraining per seed), and dropping the whole tasks whose entry of
            the task matrix is > 0 for the target.

              --target TASK|all     a task name or index, or every task
              --from other|all      candidates: the other tasks only (default for one task)
                                    or every task (the only choice for --target all)
              --fractions LIST      comma-separated: `harmful` (every candidate with harm
                                    > 0) and percentages q (the q% of the candidates with
                                    the largest harm); default harmful
              --random-seeds N      random draws per rule (default 5; 0 for none)
              --seed S              the first random seed; the draws use S, S+1, … (default 0)
              --drop-tasks LIST     also retrain without these tasks (names or indices,
                                    comma-separated), whatever the scores say; repeatable
              --name NAME           output name (default: the target and --from)
            \(RetrainingOptions.help)
              --checkpoint PATH     the model (default: the one the manifest names)
              --dataset 'DESC'      the dataset and its options as one string, such as
                                    'yeast --seed 0' (default: the manifest's)
              --data-dir DIR        where built-in datasets live

            \(Retrainers.help)

            The dataset and the checkpoint must be the ones the run scored: their fingerprints
            are checked against RUN_DIR/manifest.json. Retraining is warm-started from ŵ with
            the checkpoint's optimiser (Newton for convex models, L-BFGS without Adam for
            networks) and the same penalties; examples are removed with the run's removal
            convention, whole tasks with weight zero. Each finished retraining is kept in
            RUN_DIR/selection/.NAME.retraining/: run the same command again after an
            interruption, and only the unfinished ones are retrained.

            Writes RUN_DIR/selection/NAME.json (read by `mtif report`) and
            RUN_DIR/selection/NAME-removed.csv (the examples each MTIF rule removed), and
            prints one row per strategy: the target's test loss and accuracy (for --target all,
            their means over the tasks), mean ± standard deviation over seeds for random
            removal, the change against the full-data model, and where the removed examples
            come from.

            Examples:
              mtif select runs/yeast/score --target Class3 --fractions harmful,5,10,20
              mtif select runs/synthetic/score --target task0 --from all --random-seeds 10
              mtif select runs/yeast/score --target all --fractions 1,5
            """,
        valueOptions: Set([
            "target", "from", "fractions", "random-seeds", "seed", "name", "checkpoint", "dataset", "data-dir",
            "drop-tasks",
        ]).union(Retrainers.valueOptions).union(RetrainingOptions.valueOptions),
        flagOptions: [],
        run: { arguments in try run(arguments) })

    /// The options, parsed and checked before anything is read.
    struct Options {
        var runDirectory: String
        var targetText: String
        var pool: CandidatePool?
        var rules: [SelectionRule]
        var seeds: [UInt64]
        var name: String?
        var retraining: RetrainingOptions

        /// - Throws: `UsageError` naming the option.
        init(_ arguments: CommandArguments) throws {
            guard arguments.positional.count == 1 else {
                throw UsageError("select expects one run directory, found \(arguments.positional.count) arguments.")
            }
            runDirectory = arguments.positional[0]
            guard let target = arguments.value("target") else {
                throw UsageError("select needs --target TASK (a task name or index) or --target all.")
            }
            targetText = target
            pool = try arguments.value("from").map { text in
                guard let pool = CandidatePool(rawValue: text) else {
                    throw UsageError("Option --from expects other or all, found '\(text)'.")
                }
                return pool
            }
            rules = try Self.rules(arguments.value("fractions") ?? "harmful")
            seeds = try Self.seeds(arguments)
            name = try arguments.value("name").map(Self.checkedName)
            retraining = try RetrainingOptions(arguments)
        }

        /// `harmful` and percentages in (0, 100], in the order given, without repeats.
        static func rules(_ text: String) throws -> [SelectionRule] {
            var rules: [SelectionRule] = []
            for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let rule: SelectionRule
                if entry == "harmful" {
                    rule = .harmful
                } else if let percent = Double(entry), percent > 0, percent <= 100 {
                    rule = .topPercent(percent)
                } else {
                    throw UsageError(
                        "Option --fractions expects 'harmful' or percentages in (0, 100] separated by commas, such as "
                            + "harmful,5,10; found '\(entry)'.")
                }
                if !rules.contains(rule) { rules.append(rule) }
            }
            guard !rules.isEmpty else { throw UsageError("Option --fractions lists no rule.") }
            return rules
        }

        private static func seeds(_ arguments: CommandArguments) throws -> [UInt64] {
            let count = try arguments.integer("random-seeds", default: 5)
            let first = try arguments.integer("seed", default: 0)
            guard count >= 0, count <= 1000, first >= 0 else {
                throw UsageError(
                    "--random-seeds must be in 0…1000 and --seed non-negative, found \(count) and \(first).")
            }
            return (0..<count).map { UInt64(first + $0) }
        }

        private static func checkedName(_ name: String) throws -> String {
            guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/") else {
                throw UsageError("--name is a file name without '/' or a leading '.', found '\(name)'.")
            }
            return name
        }

        /// The target named by --target among `taskNames`.
        func target(taskNames: [String]) throws -> SelectionTarget {
            if targetText == "all" { return .allTasks }
            return .task(try Self.task(targetText, option: "target", taskNames: taskNames))
        }

        /// The tasks of a --drop-tasks list.
        func tasks(_ list: String, taskNames: [String]) throws -> [Int] {
            try list.split(separator: ",").map {
                try Self.task($0.trimmingCharacters(in: .whitespaces), option: "drop-tasks", taskNames: taskNames)
            }
        }

        /// A task by name, or by index when no task has that name.
        private static func task(_ text: String, option: String, taskNames: [String]) throws -> Int {
            if let index = taskNames.firstIndex(of: text) { return index }
            if let index = Int(text), taskNames.indices.contains(index) { return index }
            throw UsageError(
                "--\(option) expects a task of the run (\(taskNames.joined(separator: ", "))), an index below "
                    + "\(taskNames.count)\(option == "target" ? ", or all" : ""); found '\(text)'.")
        }
    }

    static func run(_ arguments: CommandArguments) throws {
        let options = try Options(arguments)
        let logger = Logger(label: "mtif")
        let clock = StageClock(logger: logger)
        let inputs = try clock.measure("load") {
            try ScoreRunInputs(
                directory: options.runDirectory, dataset: arguments.value("dataset"),
                checkpoint: arguments.value("checkpoint"), dataDirectory: arguments.value("data-dir"))
        }
        let target = try options.target(taskNames: inputs.taskNames)
        let pool = options.pool ?? (target == .allTasks ? .allTasks : .otherTasks)
        let selector = try ExampleSelector(scores: inputs.scores, target: target, pool: pool)
        let experiment = SelectionExperiment(
            objective: inputs.objective, parameters: inputs.checkpoint.parameters, selector: selector,
            rules: options.rules, randomSeeds: options.seeds, taskMatrix: inputs.taskMatrix,
            convention: inputs.scores.convention,
            droppedTaskSets: try arguments.values("drop-tasks").map {
                try options.tasks($0, taskNames: inputs.taskNames)
            })

        let trainer = options.retraining.trainer(like: inputs.checkpoint.training?.settings)
        let name = options.name ?? defaultName(target: target, pool: pool, taskNames: inputs.taskNames)
        let retrainer = try Retrainers.make(
            arguments, trainer: trainer, datasetRequest: inputs.datasetRequest,
            journal: URL(fileURLWithPath: options.runDirectory).appendingPathComponent("selection/.\(name).retraining"),
            logger: logger)
        let requests = experiment.requests
        let progress =
            arguments.isSet("quiet") ? nil : ProgressReporter(stage: "retrain", total: requests.count, unit: "models")
        let outcomes = try clock.measure("retrain") {
            try experiment.run(retrainer: retrainer, split: .test, progress: progress)
        }

        let provenance = makeProvenance(options, inputs, pool: pool, trainer: trainer)
        let files = try clock.measure("write") {
            try write(
                SelectionDocument(
                    experiment: experiment, outcomes: outcomes, target: target, split: .test, provenance: provenance),
                removed: SelectionDocument.removedExamplesTable(
                    experiment: experiment, selector: selector, dataset: inputs.dataset),
                name: name, runDirectory: options.runDirectory)
        }
        try RunConfiguration(command: command, arguments: arguments).write(
            to: URL(fileURLWithPath: options.runDirectory).appendingPathComponent("selection/\(name).config.json"))
        if !arguments.isSet("quiet") {
            print(SelectionSummary.text(outcomes: outcomes, experiment: experiment, target: target, files: files))
        }
    }

    /// `task3-other`, `task3-all` or `all`, file-name safe.
    static func defaultName(target: SelectionTarget, pool: CandidatePool, taskNames: [String]) -> String {
        guard case .task(let k) = target else { return "all" }
        let safe = String(taskNames[k].map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "\(safe)-\(pool.rawValue)"
    }

    private static func makeProvenance(
        _ options: Options, _ inputs: ScoreRunInputs, pool: CandidatePool, trainer: MultitaskTrainer
    ) -> SelectionDocument.Provenance {
        let method = trainer.method(for: inputs.objective.model)
        let convergence = method == .newton ? trainer.newton.convergence : trainer.adamLBFGS.convergence
        return SelectionDocument.Provenance(
            run: options.runDirectory, dataset: inputs.datasetDescription,
            datasetFingerprint: inputs.dataset.fingerprint(), checkpoint: inputs.checkpointPath,
            modelFingerprint: inputs.run.manifest.model.fingerprint, candidates: pool.rawValue,
            rules: options.rules.map(\.label), randomSeeds: options.seeds,
            removal: inputs.scores.convention.rawValue,
            retraining: method == .newton ? "Newton, warm start" : "L-BFGS from a warm start, no Adam",
            relativeGradientTolerance: convergence.relativeGradientTolerance,
            createdBy: "mtif \(CommandLineInterface.version)", createdAt: Date().formatted(.iso8601))
    }

    /// Writes the two files atomically into RUN_DIR/selection; returns their paths.
    private static func write(
        _ document: SelectionDocument, removed: String, name: String, runDirectory: String
    )
        throws -> [String]
    {
        let directory = URL(fileURLWithPath: runDirectory).appendingPathComponent("selection")
        try RunFiles.createDirectory(directory)
        let json = directory.appendingPathComponent("\(name).json")
        let csv = directory.appendingPathComponent("\(name)-removed.csv")
        try RunFiles.writeJSON(document, to: json)
        try RunFiles.writeAtomically(csv) { try Data(removed.utf8).write(to: URL(fileURLWithPath: $0)) }
        return [json.path, csv.path]
    }
}
