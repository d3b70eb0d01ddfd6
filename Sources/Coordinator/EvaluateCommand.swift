import Foundation
import Shared

/// `mtif evaluate`: ground truth by retraining, the linear datamodeling score and task-relatedness
/// baselines for a finished score run.
enum EvaluateCommand {
    static let command = Subcommand(
        name: "evaluate",
        summary: "Check the scores against retraining (LOO, LOTO, LDS) and compute relatedness baselines",
        help: """
            Usage: mtif evaluate RUN_DIR [options]

            Reads a score run (mtif score --out RUN_DIR), retrains the scored model ŵ without
            chosen training data, and compares each actual change of a task's validation loss,
            V_k(ŵ) − V_k(retrained), with what the scores predicted (> 0: the data harmed k).

              --loo N               leave-one-out for N examples: the ⌈N/2⌉ with the largest
                                    |score| for some query task, and ⌊N/2⌋ drawn at random from
                                    the others (seed --seed), across every train task
              --loo-examples LIST   leave-one-out for these examples: TASK:POSITION, comma-
                                    separated (a task name or index, a position among its
                                    training examples); with --loo, both sets
              --loto                leave-one-task-out: retrain without each task in turn
              --lds M               linear datamodeling: M random subsets, each keeping the
                                    fraction --alpha of every task's training examples
              --alpha A             the kept fraction, in (0, 1) (default 0.5); a task of n
                                    examples keeps ⌊A·n + ½⌋
              --baselines           gradient cosine and lookahead task affinity (no retraining)
              --seed S              the seed of the random examples (S) and subsets (S, S+1, …)
                                    (default 0)
              --lookahead-step η    the step of lookahead task affinity (default 0.01)
            \(RetrainingOptions.help)
              --checkpoint PATH     the model (default: the one the manifest names)
              --dataset 'DESC'      the dataset and its options as one string (default: the
                                    manifest's)
              --data-dir DIR        where built-in datasets live

            \(Retrainers.help)

            Without --loo, --loo-examples, --loto, --lds or --baselines, all of them run:
            --loo 100 (or every example, if fewer) --loto --lds 50 --baselines.

            Retraining starts at ŵ with the checkpoint's optimiser (Newton for convex models,
            L-BFGS without Adam for networks). Single examples and subsets are removed with the
            run's removal convention (weight-zero unless scored renormalised), whole tasks with
            weight zero (their penalty term stays). Every finished retraining is kept in
            RUN_DIR/evaluation/retrainings/ as it arrives, so a killed evaluation resumes when
            rerun and later evaluations reuse what they share with earlier ones. A retraining that does not
            converge stops the evaluation (the finished ones stay); a looser --tolerance starts
            the journal afresh, since results depend on it, while a higher --max-iterations
            keeps it.

            Writes into RUN_DIR/evaluation/ (formats in docs/file-formats.md): loo.csv,
            loto.json, lds.csv, baselines/cosine.json and baselines/lookahead.json (all read by
            `mtif report`), ground-truth/ (removed and kept training rows and the measured
            losses as .npy, with manifest.json, for other tools such as dattri), summary.json and
            config.json. Prints the agreement: Pearson and Spearman for leave-one-out (pooled,
            per query task, within and between tasks), the LDS, and the Spearman correlation of
            the task matrix and of every baseline with leave-one-task-out.

            Examples:
              mtif evaluate runs/yeast/score --loo 100 --loto --lds 50 --baselines
              mtif evaluate runs/synthetic/score --loo-examples task0:3,task2:17 --quiet
              mtif evaluate runs/yeast/score --lds 20 --alpha 0.7 --seed 5 --workers 0
            """,
        valueOptions: Set([
            "loo", "loo-examples", "lds", "alpha", "seed", "lookahead-step", "checkpoint", "dataset",
            "data-dir",
        ]).union(Retrainers.valueOptions).union(RetrainingOptions.valueOptions),
        flagOptions: ["loto", "baselines"],
        run: { arguments in try run(arguments) })

    static func run(_ arguments: CommandArguments) throws {
        let options = try EvaluationOptions(arguments)
        let logger = Logger(label: "mtif")
        let clock = StageClock(logger: logger)
        let inputs = try clock.measure("load") {
            try ScoreRunInputs(
                directory: options.runDirectory, dataset: arguments.value("dataset"),
                checkpoint: arguments.value("checkpoint"), dataDirectory: arguments.value("data-dir"))
        }
        let plan = try EvaluationPlan(options: options, inputs: inputs)
        let directory = URL(fileURLWithPath: options.runDirectory).appendingPathComponent("evaluation")
        let trainer = options.retraining.trainer(like: inputs.checkpoint.training?.settings)
        let retrainer = try Retrainers.make(
            arguments, trainer: trainer, datasetRequest: inputs.datasetRequest,
            journal: directory.appendingPathComponent("retrainings"), logger: logger)

        let groundTruth = GroundTruthRetraining(objective: inputs.objective, parameters: inputs.checkpoint.parameters)
        let requests = plan.requests
        let progress =
            arguments.isSet("quiet")
            ? nil : ProgressReporter(stage: "retrain", total: Set(requests).count, unit: "models")
        let measured = try clock.measure("retrain") {
            try groundTruth.measure(requests, retrainer: retrainer, progress: progress)
        }
        let before = try groundTruth.validationLosses(at: inputs.checkpoint.parameters)
        let files = EvaluationFiles(directory: directory, inputs: inputs, plan: plan, trainer: trainer)
        try clock.measure("write") {
            try files.write(measured: measured, before: before)
            if options.hasBaselines { try files.writeBaselines(lookaheadStep: options.lookaheadStep) }
        }

        let summary = try EvaluationSummary(runDirectory: options.runDirectory, inputs: inputs)
        try RunFiles.writeJSON(summary, to: directory.appendingPathComponent("summary.json"))
        try RunConfiguration(command: command, arguments: arguments).write(
            to: directory.appendingPathComponent(RunConfiguration.fileName))
        if !arguments.isSet("quiet") { print(summary.text) }
    }
}
