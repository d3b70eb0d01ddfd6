import Foundation
import Shared

/// `manifest.json` of a scoring run: what was computed, from what, how, and how long it took.
///
/// Enough to reproduce the run exactly (dataset description and fingerprint, model fingerprint,
/// the full influence configuration) and to judge the solve (residuals, damping, curvature).
struct ScoreManifest: Codable {
    struct DatasetInfo: Codable {
        var description: String
        var name: String
        var fingerprint: String
        var layout: String
        var tasks: [String]
        var trainCounts: [Int]
    }

    struct ModelInfo: Codable {
        var checkpoint: String
        var fingerprint: String
        var parameterCount: Int
        var architecture: ModelArchitecture
    }

    struct Axes: Codable {
        var rows = "training examples (train task l, position i) in the order of train-examples.csv"
        var columns = "queries (task validation losses, then validation examples) in the order of queries.csv"
        var sign = "score > 0: removing the example lowers the query loss (it harms the query); < 0: it helps"
    }

    var format = "mtif-run"
    var version = 1
    var kind = "score"
    var createdBy: String
    var createdAt: String
    var dataset: DatasetInfo
    var model: ModelInfo
    var configuration: InfluenceConfiguration
    var solve: SolveReport
    var axes = Axes()
    /// Seconds per stage: load, gradients, solve, score, write.
    var timings: [String: Double]
    /// File name → what it holds.
    var outputs: [String: String]
}
