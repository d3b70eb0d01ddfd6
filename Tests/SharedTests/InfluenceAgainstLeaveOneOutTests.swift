import Foundation
import Testing

@testable import Shared

@Suite("MTIF scores against actual leave-one-out effects")
struct InfluenceAgainstLeaveOneOutTests {
    /// Synthetic linear hard sharing with squared loss: the MTIF acceptance criterion.
    static let linearSpecification = "synthetic:K=3,n=300,d=6,noise=0.5,shared=0.7,conflicting=0,seed=5,kind=regression"

    static func pearsons(
        _ predicted: Matrix, _ actual: Matrix, rows: [TrainExample], queries: [Query]
    ) -> (
        pooled: Double, within: Double, between: Double
    ) {
        var within: ([Double], [Double]) = ([], [])
        var between: ([Double], [Double]) = ([], [])
        for (row, example) in rows.enumerated() {
            for (column, query) in queries.enumerated() {
                let pair = (predicted[row, column], actual[row, column])
                if example.task == query.task {
                    within.0.append(pair.0)
                    within.1.append(pair.1)
                } else {
                    between.0.append(pair.0)
                    between.1.append(pair.1)
                }
            }
        }
        return (
            Statistics.pearson(predicted.elements, actual.elements), Statistics.pearson(within.0, within.1),
            Statistics.pearson(between.0, between.1)
        )
    }

    static func predicted(_ result: InfluenceResult, rows: [TrainExample]) -> Matrix {
        result.scores.values.rows(at: rows.map { result.scores.row(of: $0) })
    }

    @Test("Weight-zero MTIF matches exact LOO on linear hard sharing: Pearson ≥ 0.99 pooled, within and between")
    func linearHardSharingMatchesExactLeaveOneOut() throws {
        let problem = try TrainedProblem.make(Self.linearSpecification, architecture: .hardSharingLinear, l2: 1e-3)
        let result = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(solver: .dense))
        let rows = problem.allTrainExamples
        let actual = try LeaveOneOut.exactQuadratic(
            objective: problem.objective, parameters: problem.parameters, examples: rows,
            queries: result.scores.queries)
        let r = Self.pearsons(Self.predicted(result, rows: rows), actual, rows: rows, queries: result.scores.queries)
        #expect(r.pooled >= 0.99)
        #expect(r.within >= 0.99)
        #expect(r.between >= 0.99)
    }

    @Test("The closed-form LOO equals real Newton refits without the example")
    func closedFormEqualsRefits() throws {
        let problem = try TrainedProblem.make(Self.linearSpecification, architecture: .hardSharingLinear, l2: 1e-3)
        let examples = [
            TrainExample(task: 0, example: 3), TrainExample(task: 1, example: 10), TrainExample(task: 2, example: 0),
        ]
        let queries = InfluenceEngine.queries(for: problem.objective, selection: .examples)
        let closedForm = try LeaveOneOut.exactQuadratic(
            objective: problem.objective, parameters: problem.parameters, examples: examples, queries: queries)
        let refits = try LeaveOneOut.retrained(
            objective: problem.objective, parameters: problem.parameters, examples: examples, queries: queries)
        let scale = refits.elements.map(abs).max() ?? 0
        #expect(scale > 0)
        // Refits converge to a relative gradient of 1e-10; the effects are differences of losses of
        // order 1, so agreement to 1e-8 of the largest effect is what the tolerance allows.
        #expect(closedForm.maxAbsoluteDifference(to: refits) <= 1e-8 * max(scale, 1))
    }

    @Test("Renormalised MTIF matches renormalised retraining on linear hard sharing")
    func renormalisedMatchesRetraining() throws {
        let problem = try TrainedProblem.make(Self.linearSpecification, architecture: .hardSharingLinear, l2: 1e-3)
        let result = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters,
            configuration: .init(solver: .arrowhead, convention: .renormalised))
        let rows = stride(from: 0, to: problem.allTrainExamples.count, by: 6).map { problem.allTrainExamples[$0] }
        let actual = try LeaveOneOut.retrained(
            objective: problem.objective, parameters: problem.parameters, examples: rows,
            queries: result.scores.queries, convention: .renormalised)
        let r = Self.pearsons(Self.predicted(result, rows: rows), actual, rows: rows, queries: result.scores.queries)
        #expect(r.pooled >= 0.99)
    }

    @Test(
        "Logistic hard sharing on four digit pairs: mean per-query Pearson ≥ 0.9 against 100 Newton LOO refits",
        .enabled(if: RealData.isAvailable("digits/digits.csv.gz")))
    func logisticDigitPairsMatchRetraining() throws {
        let problem = try TrainedProblem.make(
            "digits:pairs=0-1/2-3/4-5/6-7", architecture: .hardSharingLinear, l2: 1e-2,
            dataDirectory: RealData.directory.path)
        let result = try InfluenceEngine.run(
            objective: problem.objective, parameters: problem.parameters, configuration: .init(solver: .arrowhead))
        let all = problem.allTrainExamples
        let rows = (0..<100).map { all[($0 * 37) % all.count] }
        let actual = try LeaveOneOut.retrained(
            objective: problem.objective, parameters: problem.parameters, examples: rows,
            queries: result.scores.queries)
        let predicted = Self.predicted(result, rows: rows)
        let perQuery = (0..<actual.columns).map { Statistics.pearson(predicted.column($0), actual.column($0)) }
        #expect(Statistics.mean(perQuery) >= 0.9, "per-query Pearson: \(perQuery)")
    }
}
