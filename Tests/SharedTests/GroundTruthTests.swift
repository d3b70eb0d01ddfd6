import Foundation
import Synchronization
import Testing

@testable import Shared

@Suite("Ground truth by retraining: leave-one-out, leave-one-task-out and subsets against closed forms")
struct GroundTruthTests {
    /// Linear hard sharing with squared loss: L is quadratic, so every retraining has a closed form.
    static let specification = "synthetic:K=3,n=80,d=6,noise=0.5,shared=0.7,conflicting=1,seed=5,kind=regression"
    static let l2 = 0.1

    /// The trained problem and its weight-zero scores, shared by the tests; read only.
    static let setting: (TrainedProblem, InfluenceScores)? = {
        guard let problem = try? TrainedProblem.make(specification, architecture: .hardSharingLinear, l2: l2),
            let result = try? InfluenceEngine.run(
                objective: problem.objective, parameters: problem.parameters,
                configuration: InfluenceConfiguration(solver: .dense))
        else { return nil }
        return (problem, result.scores)
    }()

    static func measure(_ requests: [RetrainingRequest], problem: TrainedProblem) throws -> [MeasuredRetraining] {
        try GroundTruthRetraining(objective: problem.objective, parameters: problem.parameters).measure(
            requests, retrainer: InProcessRetrainer(trainer: .retraining(like: nil)), progress: nil)
    }

    /// Newton stops at a relative gradient of 1e-10 on a problem conditioned about 1e2 (λ = 0.1
    /// against unit-variance features), so the refit is within about 1e-12 of the exact one and a
    /// loss of order 1 differs by far less than 1e-9, while the effects compared are 1e-4 to 1e-2.
    static let lossTolerance = 1e-9

    @Test("Leave-one-out effects equal the closed-form rank-one downdate and correlate ≈ 1 with the scores")
    func leaveOneOutEqualsClosedForm() throws {
        let (problem, scores) = try #require(Self.setting)
        let chosen = LeaveOneOutSample.choose(count: 16, scores: scores, seed: 3)
        let requests = chosen.map { RetrainingRequest(removing: [$0.example]) }
        let measured = try Self.measure(requests, problem: problem)
        let retraining = GroundTruthRetraining(objective: problem.objective, parameters: problem.parameters)
        let before = try retraining.validationLosses(at: problem.parameters)
        let actual = measured.map {
            GroundTruthRetraining.effects(before: before, after: $0, queries: scores.queries)
        }

        let exact = try LeaveOneOut.exactQuadratic(
            objective: problem.objective, parameters: problem.parameters, examples: chosen.map(\.example),
            queries: scores.queries)
        for (row, effects) in actual.enumerated() {
            for (column, effect) in effects.enumerated() {
                #expect(abs(effect - exact[row, column]) <= Self.lossTolerance, "example \(chosen[row].example)")
            }
        }
        let predicted = chosen.flatMap { scores.values.row(scores.row(of: $0.example)) }
        #expect(Statistics.pearson(predicted, actual.flatMap { $0 }) > 0.99)
    }

    @Test("The leave-one-out sample: the ⌈N/2⌉ largest |score| rows, then ⌊N/2⌋ seeded draws, sorted by row")
    func leaveOneOutSampleFollowsItsRule() throws {
        let (_, scores) = try #require(Self.setting)
        let chosen = LeaveOneOutSample.choose(count: 11, scores: scores, seed: 7)
        let rows = chosen.map { scores.row(of: $0.example) }
        #expect(rows == rows.sorted() && Set(rows).count == 11)
        let extreme = { (row: Int) in scores.values.row(row).map(abs).max()! }
        let top = rows.indices.filter { chosen[$0].choice == .largestScore }.map { rows[$0] }
        #expect(top.count == 6 && chosen.filter { $0.choice == .random }.count == 5)
        let others = (0..<scores.values.rows).filter { !top.contains($0) }
        #expect(top.map(extreme).min()! >= others.map(extreme).max()!)

        #expect(LeaveOneOutSample.choose(count: 11, scores: scores, seed: 7) == chosen)
        let reseeded = LeaveOneOutSample.choose(count: 11, scores: scores, seed: 8)
        #expect(reseeded.filter { $0.choice == .largestScore } == chosen.filter { $0.choice == .largestScore })
        #expect(reseeded.filter { $0.choice == .random } != chosen.filter { $0.choice == .random })
    }

    @Test("Leaving a task out equals the closed-form refit of the normal equations without its examples")
    func leaveOneTaskOutEqualsDirectRefit() throws {
        let (problem, _) = try #require(Self.setting)
        let objective = problem.objective
        let requests = (0..<3).map { RetrainingRequest.removingTasks([$0], of: objective) }
        let measured = try Self.measure(requests, problem: problem)
        for (task, request) in requests.enumerated() {
            let refit = try SelectionExperimentTests.closedFormRefit(objective, removing: request.removed, l2: Self.l2)
            let expected = try (0..<3).map { try objective.meanLoss(task: $0, split: .validation, at: refit) }
            for k in 0..<3 {
                #expect(abs(measured[task].validationLosses[k] - expected[k]) <= Self.lossTolerance, "task \(task)")
            }
        }
    }

    @Test("⌊α·n + ½⌋ rounds halves up", arguments: [(7, 0.5, 4), (6, 0.5, 3), (5, 0.3, 2), (2, 0.25, 1), (2, 0.2, 0)])
    func keptCountRounding(_ n: Int, _ fraction: Double, _ kept: Int) {
        #expect(DatamodelSubsets.keptCount(trainCount: n, fraction: fraction) == kept)
    }

    @Test("Subsets keep exactly ⌊α·n_l + ½⌋ of every task; predictions are the summed scores of the rest")
    func subsetsKeepTheirFractionAndSumTheirScores() throws {
        let (problem, scores) = try #require(Self.setting)
        let counts = scores.trainCounts
        let subsets = DatamodelSubsets(trainCounts: counts, fraction: 0.3, count: 6, firstSeed: 11)
        for subset in 0..<6 {
            let (removed, kept) = (subsets.removed[subset], subsets.kept(subset: subset))
            #expect(Set(removed).isDisjoint(with: kept) && removed.count + kept.count == counts.reduce(0, +))
            for (task, n) in counts.enumerated() {
                #expect(kept.filter { $0.task == task }.count == Int((0.3 * Double(n) + 0.5).rounded(.down)))
            }
            var direct = [Double](repeating: 0, count: scores.queries.count)
            for example in removed {
                let row = scores.trainCounts[..<example.task].reduce(0, +) + example.example
                for column in direct.indices { direct[column] += scores.values[row, column] }
            }
            for (value, expected) in zip(scores.predictedEffect(ofRemoving: removed), direct) {
                #expect(abs(value - expected) <= 1e-15 * max(1, abs(expected)))
            }
        }
        #expect(Set(subsets.removed).count == 6)
        let fewer = DatamodelSubsets(trainCounts: counts, fraction: 0.3, count: 2, firstSeed: 11)
        #expect(fewer.removed == Array(subsets.removed.prefix(2)))

        let measured = try Self.measure([RetrainingRequest(removing: subsets.removed[0])], problem: problem)
        let refit = try SelectionExperimentTests.closedFormRefit(
            problem.objective, removing: subsets.removed[0], l2: Self.l2)
        for k in 0..<3 {
            let expected = try problem.objective.meanLoss(task: k, split: .validation, at: refit)
            #expect(abs(measured[0].validationLosses[k] - expected) <= Self.lossTolerance)
        }
    }

    @Test("A request listed twice is retrained once and measured the same in both places")
    func repeatedRequestsRetrainOnce() throws {
        let (problem, scores) = try #require(Self.setting)
        let chosen = LeaveOneOutSample.choose(count: 3, scores: scores, seed: 1).map {
            RetrainingRequest(removing: [$0.example])
        }
        let requests = chosen + [chosen[1], chosen[0]]
        let counting = CountingRetrainer()
        let measured = try GroundTruthRetraining(objective: problem.objective, parameters: problem.parameters)
            .measure(requests, retrainer: counting, progress: nil)
        #expect(counting.retrained.value == 3)
        #expect(measured[3] == measured[1] && measured[4] == measured[0])
        #expect(measured == (try Self.measure(requests, problem: problem)))
    }
}

/// Retrains in this process through `InProcessRetrainer` and counts what it retrains.
final class CountingRetrainer: Retrainer, Sendable {
    let retrained = Counter()

    func retrain(
        _ requests: [RetrainingRequest], objective: MultitaskObjective, from start: [Double],
        progress: ProgressReporter?
    ) throws -> [TrainedParameters] {
        retrained.add(requests.count)
        return try InProcessRetrainer(trainer: .retraining(like: nil)).retrain(
            requests, objective: objective, from: start, progress: progress)
    }
}

/// A thread-safe count.
final class Counter: Sendable {
    private let storage = Mutex(0)
    var value: Int { storage.withLock { $0 } }
    func add(_ amount: Int) { storage.withLock { $0 += amount } }
}
