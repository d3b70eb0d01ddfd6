// Exact curvature of the objective: Hessian- and Gauss–Newton-vector products by the R-operator,
// the dense matrices they assemble, and the blocks of method.md §4.

extension MultitaskObjective {
    /// H·v with H = ∇²L(w), exact (R-operator), the penalty included.
    ///
    /// Tasks whose θ_k and γ entries of v are all zero are skipped: their term contributes exactly
    /// zero.
    ///
    /// - Precondition: `w` and `v` have `parameterCount` entries.
    /// - Complexity: about four gradient evaluations of the tasks v touches.
    public func hessianVectorProduct(at w: [Double], _ v: [Double]) -> [Double] {
        curvatureProduct(.hessian, tasks: 0..<taskCount, at: w, v)
    }

    /// ∇²T_k(w)·v for task k's term alone (method.md §5); zero outside θ_k and γ.
    public func taskHessianVectorProduct(task: Int, at w: [Double], _ v: [Double]) -> [Double] {
        curvatureProduct(.hessian, tasks: task..<(task + 1), at: w, v)
    }

    /// G·v with G the Gauss–Newton matrix Σ_k (1/n_k) Σᵢ c_ki Jᵢᵀ∇²ℓᵢJᵢ plus the penalty Hessian.
    ///
    /// G is positive semi-definite (definite when λ > 0), the usual replacement for an indefinite
    /// Hessian of a non-convex model (method.md §8); it equals H for models whose outputs are linear
    /// in w (linear hard sharing, heads without a trunk, linear soft sharing).
    public func gaussNewtonVectorProduct(at w: [Double], _ v: [Double]) -> [Double] {
        curvatureProduct(.gaussNewton, tasks: 0..<taskCount, at: w, v)
    }

    /// The Gauss–Newton product of task k's term alone.
    public func taskGaussNewtonVectorProduct(task: Int, at w: [Double], _ v: [Double]) -> [Double] {
        curvatureProduct(.gaussNewton, tasks: task..<(task + 1), at: w, v)
    }

    /// The dense `P × P` Hessian ∇²L(w), exactly symmetric.
    ///
    /// Models whose outputs are linear in w assemble it directly from weighted Gram matrices (see
    /// `linearOutputHessianBlocks`); networks from the batched R-operator (`assembledCurvature`):
    /// column j = H·e_j for blocks of unit directions at once, as DGEMMs over examples ×
    /// directions, then (M + Mᵀ)/2. Rounding makes the two triangles of M agree only to about
    /// 1e-15 relative; factorisations expect exact symmetry. `productCurvature`, one
    /// Hessian-vector product per column, computes the same matrix and is kept as its check.
    ///
    /// - Complexity: O(P²) memory. Networks: for tasks with n shared training inputs whose first
    ///   layer is `d × h`, about 2·n·(d + 1)·h·P flops in DGEMMs (see `assembledCurvature`); 0.05 s
    ///   for the Yeast MLP (P = 1902, n = 200) where P products took 1.2 s. Linear outputs: about
    ///   2·n·d²·C² flops per task.
    public func hessian(at w: [Double]) -> Matrix {
        model.hasLinearOutputs ? linearOutputHessianBlocks(at: w).assembled() : assembledCurvature(.hessian, at: w)
    }

    /// The dense Gauss–Newton matrix, assembled like `hessian(at:)`; equal to it for linear outputs.
    public func gaussNewtonMatrix(at w: [Double]) -> Matrix {
        model.hasLinearOutputs
            ? linearOutputHessianBlocks(at: w).assembled() : assembledCurvature(.gaussNewton, at: w)
    }

    /// The blocks A_k, B_k and C of ∇²L(w) (method.md §4), exact, without forming the P × P matrix.
    ///
    /// Linear outputs: assembled directly per task. Networks: by the batched R-operator, like
    /// `hessian(at:)`, adding each column straight into A_k, B_k or C; entries computed from both
    /// sides are averaged and those computed from one side mirrored exactly as in the dense
    /// matrix, so the blocks are those of `hessian(at:)`. `productHessianBlocks` computes the
    /// same blocks one product at a time and is kept as their check.
    ///
    /// - Complexity: the flops of `hessian(at:)`, with O(Σ_k d_k² + Σ_k d_k·p + p²) memory.
    public func hessianBlocks(at w: [Double]) -> HessianBlocks {
        model.hasLinearOutputs ? linearOutputHessianBlocks(at: w) : assembledCurvatureBlocks(.hessian, at: w)
    }

    /// The blocks from Hessian-vector products, whatever the model: for each task, d_k products
    /// of ∇²T_k with the unit vectors of θ_k give A_k (their θ_k rows) and B_kᵀ (their γ rows); p
    /// products of ∇²L with the unit vectors of γ give C. The reference for the assembled blocks.
    ///
    /// - Complexity: Σ_k d_k single-task products plus p all-task products.
    func productHessianBlocks(at w: [Double]) -> HessianBlocks {
        let layout = model.layout
        let shared = layout.sharedBlock.range
        var taskBlocks: [Matrix] = []
        var couplingBlocks: [Matrix] = []
        for (task, block) in layout.taskBlocks.enumerated() {
            let columns = block.range.map { unitProduct(.hessian, tasks: task..<(task + 1), at: w, index: $0) }
            taskBlocks.append(Matrix(rowArrays: columns.map { Array($0[block.range]) }).symmetrized())
            couplingBlocks.append(Matrix(rowArrays: columns.map { Array($0[shared]) }))
        }
        let sharedColumns = shared.map { unitProduct(.hessian, tasks: 0..<taskCount, at: w, index: $0) }
        let sharedBlock = Matrix(
            rows: shared.count, columns: shared.count, elements: sharedColumns.flatMap { $0[shared] }
        ).symmetrized()
        return HessianBlocks(taskBlocks: taskBlocks, couplingBlocks: couplingBlocks, sharedBlock: sharedBlock)
    }

    // MARK: - Products

    /// Σ over `tasks` of the curvature of T_k applied to v.
    ///
    /// Tasks whose θ_k and γ entries of v are all zero contribute exactly zero and are skipped;
    /// the others run in groups of tasks with the same inputs (see `accumulateGroupCurvature`).
    func curvatureProduct(_ curvature: Curvature, tasks: Range<Int>, at w: [Double], _ v: [Double]) -> [Double] {
        checkParameterCount(w)
        checkParameterCount(v, "Direction")
        var result = [Double](repeating: 0, count: parameterCount)
        let touched = tasks.filter { touchesTask($0, v) }
        for group in inputGroups(tasks: touched, split: trainingSplit) {
            accumulateGroupCurvature(curvature, group, at: w, v, into: &result)
        }
        for task in touched { penalty.accumulateProduct(task: task, v, into: &result) }
        return result
    }

    private func unitProduct(_ curvature: Curvature, tasks: Range<Int>, at w: [Double], index: Int) -> [Double] {
        var unit = [Double](repeating: 0, count: parameterCount)
        unit[index] = 1
        return curvatureProduct(curvature, tasks: tasks, at: w, unit)
    }

    /// The dense curvature from products with every unit vector, symmetrised: the reference for
    /// `assembledCurvature`.
    ///
    /// - Complexity: P curvature-vector products, each over the one task a θ_k column touches or
    ///   all tasks for a γ column.
    func productCurvature(_ curvature: Curvature, at w: [Double]) -> Matrix {
        let columns = (0..<parameterCount).map { unitProduct(curvature, tasks: 0..<taskCount, at: w, index: $0) }
        return Matrix(rows: parameterCount, columns: parameterCount, elements: columns.flatMap { $0 }).symmetrized()
    }
}
