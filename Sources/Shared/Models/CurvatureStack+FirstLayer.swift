// The first layer's block of the curvature from the curvature in its pre-activations.
//
// Layer 0 reads the features, which do not depend on w: z_0 = x̃·W̃_0 with x̃ = (x, 1) (no 1 without
// a bias) and W̃_0 = [W_0; b_0] is linear in W̃_0. Along the direction W̃_0[r, c] the R-operator
// starts from R{z_0,i} = x̃_ir·e_c and everything after it is linear in R{z_0}, so
//
//     R{δ_0,i} = x̃_ir·K_i[c, :],   K_i = ∂²(sᵢ·ℓᵢ)/∂z_0²  (h × h; Gauss–Newton: its J·∇²ℓ·Jᵀ part),
//
// where row c of K_i is exactly what the R-operator returns for the pre-activation direction e_c.
// The layer's block of the curvature is therefore
//
//     H[(r, c), (p, q)] = Σᵢ x̃_ir·x̃_ip·K_i[c, q],
//
// which needs h pre-activation directions through the network instead of (d + 1)·h, and one
// DGEMM x̃ᵀ·Z per block of directions with Z[i, (r, c), :] = x̃_ir·K_i[c, :]. This is the Gram
// assembly of `MultitaskObjective+LinearOutputs.swift` generalised to any network above layer 0.

extension CurvatureStack {
    /// The directions of layer 0 in blocks of at most `perBlock`: whole rows r of W̃_0 when a block
    /// holds at least h directions, parts of one row otherwise, so that every block reads one
    /// contiguous range of pre-activation directions.
    func firstLayerBlocks(perBlock: Int) -> [DirectionBlock] {
        let width = outputs(ofLayer: 0)
        let count = parameterCount(ofLayer: 0)
        guard perBlock < width else {
            let size = (perBlock / width) * width
            return stride(from: 0, to: count, by: size).map {
                DirectionBlock(layer: 0, indices: $0..<min($0 + size, count))
            }
        }
        return stride(from: 0, to: count, by: width).flatMap { rowStart in
            stride(from: 0, to: width, by: perBlock).map {
                DirectionBlock(layer: 0, indices: (rowStart + $0)..<(rowStart + min($0 + perBlock, width)))
            }
        }
    }

    /// Adds one batch's part of the layer-0 rows of the columns of a block of layer-0 directions:
    /// x̃ᵀ·Z, Z from the pre-activation curvatures K of the batch.
    ///
    /// - Precondition: `block` is one of `firstLayerBlocks`; `columns` is layer 0's accumulator
    ///   from `zeroColumns`.
    /// - Complexity: 2·n·D·h·(d + 1) flops for the product, plus one R-operator pass with at most h
    ///   directions and O(n·D·h) to form Z.
    func accumulateFirstLayerColumns(
        _ curvature: Curvature, block: DirectionBlock, batch: StackBatch, parameters: [LayerParameters],
        into columns: inout LayerParameters
    ) {
        precondition(block.layer == 0, "Only the first layer's directions factor through its pre-activations")
        let width = outputs(ofLayer: 0)
        let first = block.indices.lowerBound % width
        let units = block.count >= width ? 0..<width : first..<(first + block.count)
        precondition(units.upperBound <= width, "A block shorter than a row must stay inside one row")

        let curvatures = preActivationCurvatures(curvature, units: units, batch: batch, parameters: parameters)
        let images = firstLayerImages(block, units: units, curvatures: curvatures, batch: batch)
        accumulateLayerColumns(0, rDelta: images, rInputs: nil, batch: batch, repeats: block.count, into: &columns)
    }

    /// K_i[c, :] for c in `units` and every example of the batch, `(n·|units|) × h`, example-major:
    /// the R{δ_0} of the pre-activation directions e_c.
    func preActivationCurvatures(
        _ curvature: Curvature, units: Range<Int>, batch: StackBatch, parameters: [LayerParameters]
    ) -> Matrix {
        let weightCount = inputs(ofLayer: 0) * outputs(ofLayer: 0)
        let block = DirectionBlock(
            layer: 0, indices: (weightCount + units.lowerBound)..<(weightCount + units.upperBound))
        var curvatures = Matrix(rows: 0, columns: 0)
        propagateDirections(curvature, block: block, batch: batch, parameters: parameters) { layer, rDelta, _ in
            if layer == 0 { curvatures = rDelta }
        }
        return curvatures
    }

    /// Z: row i·D + d holds x̃_ir·K_i[c, :] for the direction ℓ_d = r·h + c (x̃_ir = 1 past the
    /// features, the bias row).
    ///
    /// A block covers whole rows r or part of one row, so for each example and each row r its
    /// directions read consecutive rows of K_i: Z is built from scaled copies of contiguous runs.
    private func firstLayerImages(
        _ block: DirectionBlock, units: Range<Int>, curvatures: Matrix, batch: StackBatch
    ) -> Matrix {
        let width = outputs(ofLayer: 0)
        let features = batch.layerInputs[0]
        let (repeats, unitCount) = (block.count, units.count)
        let rows = (block.indices.lowerBound / width)...((block.indices.upperBound - 1) / width)
        var images = Matrix(rows: batch.exampleCount * repeats, columns: width)
        features.elements.withUnsafeBufferPointer { x in
            curvatures.elements.withUnsafeBufferPointer { k in
                images.elements.withUnsafeMutableBufferPointer { z in
                    for example in 0..<batch.exampleCount {
                        for row in rows {
                            let first = max(block.indices.lowerBound, row * width)
                            let last = min(block.indices.upperBound, (row + 1) * width)
                            let factor = row < features.columns ? x[example * features.columns + row] : 1
                            let source = (example * unitCount + first - row * width - units.lowerBound) * width
                            let target = (example * repeats + first - block.indices.lowerBound) * width
                            for offset in 0..<((last - first) * width) {
                                z[target + offset] = factor * k[source + offset]
                            }
                        }
                    }
                }
            }
        }
        return images
    }
}
