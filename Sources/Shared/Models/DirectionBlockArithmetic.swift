// Element-wise arithmetic for batches that carry D directions per example.
//
// A direction block stores the directional derivatives of a batch of n examples along D
// directions as one `(n·D) × width` matrix, example-major: row i·D + d belongs to example i and
// direction d. Read as `n × (D·width)`, the same storage puts example i in row i, which is what
// lets one DGEMM contract the examples for all D directions at once. Per-example quantities
// (σ′, σ″, loss curvatures) are `n × width` and are broadcast over the D rows of their example.

/// r[i·D + d, :] = perExample[i, :] ⊙ block[i·D + d, :] for every example i and direction d.
///
/// - Precondition: `block` is `(perExample.rows · repeats) × perExample.columns`.
/// - Complexity: one pass over `block`.
func repeatedRowsProduct(_ perExample: Matrix, _ block: Matrix, repeats: Int) -> Matrix {
    checkRepeatedShapes(perExample, block, repeats: repeats)
    var result = block
    let width = block.columns
    perExample.elements.withUnsafeBufferPointer { factors in
        result.elements.withUnsafeMutableBufferPointer { r in
            for example in 0..<perExample.rows {
                let factorRow = example * width
                for row in (example * repeats)..<((example + 1) * repeats) {
                    let base = row * width
                    for column in 0..<width { r[base + column] *= factors[factorRow + column] }
                }
            }
        }
    }
    return result
}

/// r = block ⊙ slopes + weights ⊙ directions, with the `n × width` slopes and weights broadcast
/// over each example's D rows: the Hessian's backward step R{δ} = R{back} ⊙ σ′ + (back ⊙ σ″) ⊙ R{z}.
///
/// - Precondition: `block` and `directions` are `(n · repeats) × width`; `slopes` and `weights`
///   are `n × width`.
func repeatedRowsFusedSum(
    _ block: Matrix, slopes: Matrix, plus weights: Matrix, _ directions: Matrix, repeats: Int
) -> Matrix {
    checkRepeatedShapes(slopes, block, repeats: repeats)
    checkRepeatedShapes(weights, directions, repeats: repeats)
    var result = block
    let width = block.columns
    slopes.elements.withUnsafeBufferPointer { s in
        weights.elements.withUnsafeBufferPointer { c in
            directions.elements.withUnsafeBufferPointer { rz in
                result.elements.withUnsafeMutableBufferPointer { r in
                    for example in 0..<slopes.rows {
                        let factorRow = example * width
                        for row in (example * repeats)..<((example + 1) * repeats) {
                            let base = row * width
                            for column in 0..<width {
                                let factor = factorRow + column
                                r[base + column] = r[base + column] * s[factor] + c[factor] * rz[base + column]
                            }
                        }
                    }
                }
            }
        }
    }
    return result
}

private func checkRepeatedShapes(_ perExample: Matrix, _ block: Matrix, repeats: Int) {
    precondition(
        block.rows == perExample.rows * repeats && block.columns == perExample.columns,
        "A block of \(repeats) directions per example needs \(perExample.rows * repeats) × \(perExample.columns), "
            + "got \(block.rows) × \(block.columns)")
}

extension TaskLoss {
    /// Writes sᵢ·∇²ℓ(fᵢ)·r into the columns `window` of `result` for every direction row r of
    /// example i: the curvature deltas that start the R-operator's backward pass, for D
    /// directions per example at once.
    ///
    /// The loss reads columns `window` of the outputs (a member's slice of a wider output layer);
    /// `directions` and `result` have the same columns as `outputs` and D = `repeats` rows per
    /// example, example-major. Columns outside `window` are left untouched. The curvature of each
    /// example (s(1 − s) or the softmax probabilities) is computed once and applied to its D rows.
    ///
    /// - Precondition: `window.count == outputCount`; `scales` has one entry per output row.
    /// - Complexity: O(n·D·C) plus O(n·C) exponentials.
    func writeCurvatureProducts(
        outputs: Matrix, window: Range<Int>, directions: Matrix, repeats: Int, scales: [Double],
        into result: inout Matrix
    ) {
        precondition(window.count == outputCount && window.upperBound <= outputs.columns, "Window \(window) misfits")
        precondition(scales.count == outputs.rows, "One scale per example is needed")
        checkRepeatedShapes(outputs, directions, repeats: repeats)
        precondition(result.rows == directions.rows && result.columns == directions.columns, "Result shape differs")
        let width = outputs.columns
        var probabilities = [Double](repeating: 0, count: outputCount)
        for example in 0..<outputs.rows {
            let base = example * width + window.lowerBound
            var coefficient = scales[example]
            switch self {
            case .squared: break
            case .logistic:
                let s = StableLogistic.sigmoid(outputs.elements[base])
                coefficient *= s * (1 - s)
            case .softmax:
                Self.writeSoftmax(
                    of: outputs.elements, at: base, count: outputCount, into: &probabilities, at: 0, scale: 1)
            }
            for row in (example * repeats)..<((example + 1) * repeats) {
                let start = row * width + window.lowerBound
                guard case .softmax = self else {
                    result.elements[start] = coefficient * directions.elements[start]
                    continue
                }
                var projection = 0.0
                for column in 0..<outputCount {
                    projection += probabilities[column] * directions.elements[start + column]
                }
                for column in 0..<outputCount {
                    result.elements[start + column] =
                        coefficient * probabilities[column] * (directions.elements[start + column] - projection)
                }
            }
        }
    }
}
