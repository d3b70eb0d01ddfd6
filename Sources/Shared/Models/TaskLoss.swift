import Foundation

/// The loss ℓ of one task as a function of its network outputs f, fixed by the task's target kind.
///
/// Outputs are a batch `n × C`, row-major, one row per example; targets are one number per
/// example. The three losses and their derivatives with respect to f:
///
/// - squared (regression, C = 1): ℓ = ½(f − y)², ∂ℓ = f − y, ∂²ℓ = 1. The mean squared error is
///   twice the mean of ℓ.
/// - logistic (binary, C = 1): ℓ = log(1 + eᶠ) − y·f, ∂ℓ = s(f) − y, ∂²ℓ = s(f)(1 − s(f)).
/// - softmax cross-entropy (C classes): ℓ = log Σ_c e^(f_c) − f_y, ∂ℓ = p − e_y,
///   ∂²ℓ = diag(p) − p·pᵀ with p = softmax(f).
///
/// Every ∂²ℓ is positive semi-definite, which makes Gauss–Newton products PSD.
enum TaskLoss: Sendable, Equatable {
    case squared
    case logistic
    case softmax(classes: Int)

    /// The loss that belongs to a target kind.
    init(_ kind: TargetKind) {
        switch kind {
        case .regression: self = .squared
        case .binary: self = .logistic
        case .multiclass(let classes): self = .softmax(classes: classes)
        }
    }

    /// The width C of the network output the loss reads.
    var outputCount: Int {
        switch self {
        case .squared, .logistic: 1
        case .softmax(let classes): classes
        }
    }

    /// Whether the loss accepts `target`: finite for squared loss, in [0, 1] for the logistic loss,
    /// a whole number in 0..<C for softmax.
    func accepts(_ target: Double) -> Bool {
        switch self {
        case .squared: target.isFinite
        case .logistic: target >= 0 && target <= 1
        case .softmax(let classes): target >= 0 && target < Double(classes) && target == target.rounded()
        }
    }

    /// ℓ for each example.
    ///
    /// - Precondition: `outputs` is `targets.count × outputCount`.
    func values(outputs: Matrix, targets: ArraySlice<Double>) -> [Double] {
        checkShapes(outputs, targets)
        let c = outputs.columns
        return targets.indices.enumerated().map { row, index in
            let f = outputs.elements[(row * c)..<((row + 1) * c)]
            let y = targets[index]
            switch self {
            case .squared: return 0.5 * (f[f.startIndex] - y) * (f[f.startIndex] - y)
            case .logistic: return StableLogistic.softplus(f[f.startIndex]) - y * f[f.startIndex]
            case .softmax: return Self.logSumExp(f) - f[f.startIndex + Int(y)]
            }
        }
    }

    /// Row i holds sᵢ·∂ℓ/∂f at example i: the output deltas that start backpropagation.
    ///
    /// - Precondition: `outputs` is `targets.count × outputCount`; `scales` has one entry per row.
    func gradients(outputs: Matrix, targets: ArraySlice<Double>, scales: [Double]) -> Matrix {
        checkShapes(outputs, targets)
        precondition(scales.count == outputs.rows, "One scale per example is needed")
        var result = outputs
        let c = outputs.columns
        for (row, index) in targets.indices.enumerated() {
            let y = targets[index]
            let base = row * c
            switch self {
            case .squared: result.elements[base] = scales[row] * (outputs.elements[base] - y)
            case .logistic: result.elements[base] = scales[row] * (StableLogistic.sigmoid(outputs.elements[base]) - y)
            case .softmax:
                Self.writeSoftmax(
                    of: outputs.elements, at: base, count: c, into: &result.elements, at: base, scale: scales[row])
                result.elements[base + Int(y)] -= scales[row]
            }
        }
        return result
    }

    /// Row i holds sᵢ·∇²ℓ(fᵢ)·rᵢ for the direction rows rᵢ: the curvature of the loss applied to the
    /// directional derivative of the outputs, which starts both R-operator passes.
    ///
    /// - Precondition: `outputs` and `directions` are both `scales.count × outputCount`.
    func curvatureProducts(outputs: Matrix, directions: Matrix, scales: [Double]) -> Matrix {
        precondition(outputs.rows == directions.rows && outputs.columns == directions.columns, "Shapes differ")
        precondition(scales.count == outputs.rows, "One scale per example is needed")
        var result = directions
        let c = outputs.columns
        var probabilities = [Double](repeating: 0, count: c)
        for row in 0..<outputs.rows {
            let base = row * c
            switch self {
            case .squared:
                result.elements[base] = scales[row] * directions.elements[base]
            case .logistic:
                let s = StableLogistic.sigmoid(outputs.elements[base])
                result.elements[base] = scales[row] * s * (1 - s) * directions.elements[base]
            case .softmax:
                Self.writeSoftmax(of: outputs.elements, at: base, count: c, into: &probabilities, at: 0, scale: 1)
                applySoftmaxCurvature(probabilities, row: row, scale: scales[row], to: &result)
            }
        }
        return result
    }

    // MARK: - Softmax arithmetic

    /// Row ← s·(p ⊙ r − p·(pᵀr)), which is s·(diag(p) − ppᵀ)·r without forming the C × C matrix.
    private func applySoftmaxCurvature(_ p: [Double], row: Int, scale: Double, to result: inout Matrix) {
        let c = p.count
        let base = row * c
        var projection = 0.0
        for column in 0..<c { projection += p[column] * result.elements[base + column] }
        for column in 0..<c {
            result.elements[base + column] = scale * p[column] * (result.elements[base + column] - projection)
        }
    }

    /// log Σ exp, shifted by the maximum so that no exponential overflows.
    static func logSumExp(_ f: ArraySlice<Double>) -> Double {
        let largest = f.max() ?? 0
        return largest + log(f.reduce(0) { $0 + exp($1 - largest) })
    }

    /// Writes scale·softmax(source[base..<base+count]) into target[offset..<offset+count].
    static func writeSoftmax(
        of source: [Double], at base: Int, count: Int, into target: inout [Double], at offset: Int, scale: Double
    ) {
        let largest = source[base..<(base + count)].max() ?? 0
        var total = 0.0
        for column in 0..<count {
            let e = exp(source[base + column] - largest)
            target[offset + column] = e
            total += e
        }
        for column in 0..<count { target[offset + column] *= scale / total }
    }

    private func checkShapes(_ outputs: Matrix, _ targets: ArraySlice<Double>) {
        precondition(outputs.rows == targets.count, "\(outputs.rows) output rows for \(targets.count) targets")
        precondition(outputs.columns == outputCount, "Loss reads \(outputCount) outputs, got \(outputs.columns)")
    }
}
