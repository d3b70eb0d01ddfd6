import Synchronization
import Testing

@testable import Shared

@Suite("Training progress: observers see every iteration; failures keep the last iterate")
struct TrainingProgressTests {
    /// Collects the notifications of one run.
    final class Recorder: Sendable {
        let events = Mutex<[TrainingProgress]>([])
        func record(_ progress: TrainingProgress) { events.withLock { $0.append(progress) } }
    }

    @Test("Newton notifies once per iteration, counting up to the report's iterations")
    func newtonNotifiesEveryIteration() throws {
        let objective = try ModelCase.all[1].makeObjective()
        let recorder = Recorder()
        let trained = try MultitaskTrainer().train(objective, seed: 3, observer: recorder.record)
        let events = recorder.events.withLock { $0 }
        #expect(events.map(\.stage) == [TrainingStage](repeating: .newton, count: trained.report.iterations))
        #expect(events.map(\.iteration) == Array(1...trained.report.iterations))
        #expect(events.last?.gradientNorm == trained.report.gradientNorm)
    }

    @Test("Adam then L-BFGS notifies every Adam step, then every L-BFGS iteration")
    func adamThenLBFGSNotifiesByStage() throws {
        let objective = try ModelCase.all[3].makeObjective()
        let recorder = Recorder()
        let trainer = MultitaskTrainer(adamLBFGS: AdamLBFGSTrainer(adamSteps: 20))
        let trained = try trainer.train(objective, seed: 3, observer: recorder.record)
        let events = recorder.events.withLock { $0 }
        #expect(events.prefix(20).allSatisfy { $0.stage == .adam && $0.iterationLimit == 20 })
        #expect(events.dropFirst(20).allSatisfy { $0.stage == .lbfgs })
        #expect(events.count == trained.report.iterations)
    }

    @Test("A run stopped at its cap carries its last iterate, at which the report was measured")
    func unconvergedRunKeepsLastIterate() throws {
        let objective = try ModelCase.all[3].makeObjective()
        let trainer = MultitaskTrainer(
            adamLBFGS: AdamLBFGSTrainer(adamSteps: 5, convergence: ConvergenceCriterion(maximumIterations: 3)))
        do {
            _ = try trainer.train(objective, seed: 3)
            Issue.record("Training converged although the cap was too low")
        } catch let error as TrainingError {
            let w = try #require(error.parameters)
            #expect(error.code == .didNotConverge)
            #expect(objective.value(at: w) == error.report.finalLoss)
        }
    }

    @Test("The final progress line says how long the stage took even when it stopped early")
    func finalLineReportsDuration() {
        let reporter = ProgressReporter(stage: "train newton", total: 100, unit: "iterations", style: .silent)
        #expect(reporter.render(completed: 7, elapsed: 1.5, isFinal: true).hasSuffix("done in 1.5s"))
        #expect(reporter.render(completed: 7, elapsed: 1.5).contains("ETA"))
    }
}
