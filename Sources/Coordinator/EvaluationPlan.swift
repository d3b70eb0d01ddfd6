import Foundation
import Shared

/// The retrainings one `mtif evaluate` runs: which examples leave-one-out removes, whether every
/// task is left out in turn, and the random subsets of linear datamodeling.
struct EvaluationPlan {
    /// The leave-one-out examples, sorted by row of the scores; empty when not asked for.
    let leaveOneOut: [LeaveOneOutExample]
    /// Every task in task order, or none.
    let leftOutTasks: [Int]
    let subsets: DatamodelSubsets?
    /// The run's convention, for single examples and subsets (method.md §2).
    let convention: RemovalConvention
    let seed: UInt64
    /// n_l of every train task.
    let trainCounts: [Int]

    /// - Throws: `UsageError` for a malformed `--loo-examples` list, an example or task that is
    ///   not in the run, `--loo N` beyond the training examples, and subsets that would leave a
    ///   task empty under the renormalised convention.
    init(options: EvaluationOptions, inputs: ScoreRunInputs) throws {
        let scores = inputs.scores
        let total = scores.values.rows
        convention = scores.convention
        seed = options.seed
        trainCounts = scores.trainCounts
        let listed = try options.listedExamples.map { try Self.examples($0, inputs: inputs) } ?? []
        var count = options.leaveOneOutCount ?? 0
        if options.isLeaveOneOutCountDefault { count = min(count, total) }
        guard count <= total else {
            throw UsageError("--loo \(count) asks for more examples than the run's \(total) training examples.")
        }
        let chosen = LeaveOneOutSample.choose(count: count, scores: scores, seed: options.seed)
            .filter { !listed.contains($0.example) }
        leaveOneOut = (listed.map { LeaveOneOutExample(example: $0, choice: .listed) } + chosen)
            .sorted { scores.row(of: $0.example) < scores.row(of: $1.example) }
        leftOutTasks = options.isLeaveOneTaskOut ? Array(0..<inputs.taskNames.count) : []
        subsets = options.subsetCount.map {
            DatamodelSubsets(
                trainCounts: scores.trainCounts, fraction: options.fraction, count: $0, firstSeed: options.seed)
        }
        try checkSubsets(taskNames: inputs.taskNames)
    }

    var leaveOneOutRequests: [RetrainingRequest] {
        leaveOneOut.map { RetrainingRequest(removing: [$0.example], convention: convention) }
    }

    /// Whole tasks go with weight zero: a renormalised task without examples is undefined.
    var leaveOneTaskOutRequests: [RetrainingRequest] {
        leftOutTasks.map { task in
            RetrainingRequest(
                removing: (0..<trainCounts[task]).map { TrainExample(task: task, example: $0) },
                convention: .weightZero)
        }
    }

    var subsetRequests: [RetrainingRequest] {
        subsets?.removed.map { RetrainingRequest(removing: $0, convention: convention) } ?? []
    }

    /// Leave-one-out, then leave-one-task-out, then the subsets.
    var requests: [RetrainingRequest] { leaveOneOutRequests + leaveOneTaskOutRequests + subsetRequests }

    /// `TASK:POSITION,…`, a task by name or index; the name may itself hold colons (the last one
    /// separates the position).
    static func examples(_ text: String, inputs: ScoreRunInputs) throws -> [TrainExample] {
        let names = inputs.taskNames
        let counts = inputs.scores.trainCounts
        var examples: [TrainExample] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let colon = entry.lastIndex(of: ":"), let position = Int(entry[entry.index(after: colon)...]) else {
                throw UsageError(
                    "--loo-examples expects TASK:POSITION entries separated by commas, such as \(names[0]):0; "
                        + "found '\(entry)'.")
            }
            let taskText = String(entry[..<colon])
            let index = Int(taskText).flatMap { names.indices.contains($0) ? $0 : nil }
            guard let task = names.firstIndex(of: taskText) ?? index else {
                throw UsageError(
                    "--loo-examples names task '\(taskText)', which is not a task of the run "
                        + "(\(names.joined(separator: ", "))) nor an index below \(names.count).")
            }
            guard position >= 0, position < counts[task] else {
                throw UsageError(
                    "--loo-examples asks for example \(position) of task \(names[task]), which has \(counts[task]) "
                        + "training examples (positions 0…\(counts[task] - 1)).")
            }
            let example = TrainExample(task: task, example: position)
            if !examples.contains(example) { examples.append(example) }
        }
        guard !examples.isEmpty else { throw UsageError("--loo-examples lists no example.") }
        return examples
    }

    private func checkSubsets(taskNames: [String]) throws {
        guard let subsets, convention == .renormalised else { return }
        for (task, n) in subsets.trainCounts.enumerated()
        where DatamodelSubsets.keptCount(trainCount: n, fraction: subsets.fraction) == 0 {
            throw UsageError(
                "--alpha \(subsets.fraction) keeps no example of task \(taskNames[task]) (\(n) training examples), "
                    + "which the run's renormalised convention cannot re-average; raise --alpha.")
        }
    }
}
