import Foundation

extension TrainingReport {
    /// The report as label–value pairs, in the order `mtif train` and `mtif inspect` print them.
    public var summaryFields: [(label: String, value: String)] {
        [
            ("method", method.rawValue),
            ("iterations", "\(iterations)"),
            ("final loss", Self.number(finalLoss)),
            ("gradient norm", Self.number(gradientNorm)),
            ("relative gradient norm", Self.number(relativeGradientNorm)),
            ("converged", converged ? "yes" : "no"),
        ]
    }

    /// Twelve significant digits: enough to compare runs, short enough to read.
    static func number(_ value: Double) -> String {
        String(format: "%.12g", value)
    }
}

/// Aligns label–value pairs into lines: the label padded to `width`, two spaces, the value.
public func alignedFields(_ fields: [(label: String, value: String)], width: Int? = nil) -> String {
    let width = width ?? (fields.map(\.label.count).max() ?? 0)
    return fields.map { "\($0.label.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }
        .joined(separator: "\n")
}

extension Checkpoint {
    /// A plain-text summary for `mtif inspect`: model, parameter count and norms, penalties, data,
    /// training report and one line per task with its kind and parameter block.
    ///
    /// - Parameter path: the JSON file the checkpoint was read from, shown first.
    public func summary(path: String) -> String {
        let layout = model.layout
        var fields: [(label: String, value: String)] = [
            ("checkpoint", path),
            ("parameters file", Self.parametersPath(forJSON: path)),
            ("created by", createdBy),
            ("model", "\(architecture.specification) (\(architectureDescription))"),
            ("features", "\(featureCount)"),
            ("tasks", "\(taskNames.count)"),
            ("parameters", "P = \(layout.count): task blocks \(blockSizes), shared block \(layout.sharedBlock.count)"),
            ("norms", "‖w‖₂ = \(TrainingReport.number(euclideanNorm(parameters))), max |wᵢ| = \(maximumMagnitude)"),
            ("penalty", penaltyDescription),
            ("dataset", dataset?.description ?? "not recorded"),
            ("fingerprint", dataset?.fingerprint ?? "not recorded"),
        ]
        if let training {
            fields += training.report.summaryFields
            fields.append(("start", training.warmStart.map { "warm start from \($0)" } ?? seedDescription(training)))
            fields.append(("tolerance", toleranceDescription(training.settings)))
        } else {
            fields.append(("training", "not recorded"))
        }
        return alignedFields(fields) + "\n\n" + taskTable
    }

    private var architectureDescription: String {
        switch architecture {
        case .hardSharingLinear: return "linear hard sharing, f_k(x) = xᵀ(γ + θ_k)"
        case .hardSharing(let trunk) where trunk.isEmpty: return "independent linear heads, no shared parameters"
        case .hardSharing(let trunk): return "hard sharing, trunk \(layerChain(trunk)), one linear head per task"
        case .softSharing(let hidden):
            return "soft sharing, per-task network \(layerChain(hidden)) pulled towards a shared centre"
        }
    }

    private func layerChain(_ layers: [HiddenLayer]) -> String {
        ([String(featureCount)] + layers.map { "\($0.width) \($0.activation.rawValue)" }).joined(separator: " → ")
    }

    private var blockSizes: String {
        let sizes = model.layout.taskBlocks.map(\.count)
        return Set(sizes).count == 1 ? "\(sizes.count) × \(sizes[0])" : sizes.map(String.init).joined(separator: ", ")
    }

    private var maximumMagnitude: String {
        TrainingReport.number(parameters.map(abs).max() ?? 0)
    }

    private var penaltyDescription: String {
        let lambda = "λ = \(TrainingReport.number(regularization.l2))"
        return architecture.isSoftSharing ? "\(lambda), μ = \(TrainingReport.number(regularization.coupling))" : lambda
    }

    private func seedDescription(_ training: TrainingRecord) -> String {
        training.initializationSeed.map { "random, seed \($0)" } ?? "not recorded"
    }

    private func toleranceDescription(_ settings: TrainerSettings) -> String {
        let criterion = settings.convergence
        var text =
            "relative \(TrainingReport.number(criterion.relativeGradientTolerance)), absolute "
            + "\(TrainingReport.number(criterion.absoluteGradientTolerance)), at most \(criterion.maximumIterations) "
            + "iterations"
        if let steps = settings.adamSteps { text += " after \(steps) Adam steps" }
        return text
    }

    private var taskTable: String {
        let rows =
            [["task", "name", "kind", "parameters"]]
            + taskNames.indices.map { task in
                let block = model.layout.taskBlocks[task].range
                return [
                    "\(task)", taskNames[task], targetKinds[task].checkpointName,
                    "\(block.lowerBound)..<\(block.upperBound)",
                ]
            }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
