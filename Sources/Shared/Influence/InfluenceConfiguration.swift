import Foundation

/// Which queries to score: the columns of the scores matrix.
public enum QuerySelection: String, Sendable, Codable, CaseIterable {
    /// One column per task: V_k, the mean validation loss of task k.
    case tasks
    /// The task columns, then one column per validation example of every task (task by task).
    case examples
}

/// Everything that decides how scores are computed, recorded in every run manifest.
public struct InfluenceConfiguration: Sendable, Codable, Equatable {
    public var solver: SolverMethod
    public var curvature: Curvature
    /// δ in (H + δI)⁻¹; 0 for none.
    public var damping: Double
    public var convention: RemovalConvention
    public var queries: QuerySelection
    /// Settings of CG (tolerance and cap); LiSSA uses its own depth and tolerance.
    public var iterative: IterativeSolveConfiguration
    public var lissa: LiSSA.Configuration
    /// Example positions per shard.
    public var shardSize: Int

    public init(
        solver: SolverMethod = .arrowhead, curvature: Curvature = .hessian, damping: Double = 0,
        convention: RemovalConvention = .weightZero, queries: QuerySelection = .tasks,
        iterative: IterativeSolveConfiguration = .init(), lissa: LiSSA.Configuration = .init(), shardSize: Int = 512
    ) {
        self.solver = solver
        self.curvature = curvature
        self.damping = damping
        self.convention = convention
        self.queries = queries
        self.iterative = iterative
        self.lissa = lissa
        self.shardSize = shardSize
    }

    /// Checks the combination before any work starts.
    ///
    /// - Throws: `UsageError` for negative damping, a non-positive shard size, or the arrowhead
    ///   solver with the Gauss–Newton matrix on a model whose outputs are not linear in w (its
    ///   blocks are assembled from exact Hessian products only).
    public func validate(for model: MultitaskModel) throws {
        guard damping >= 0, damping.isFinite else {
            throw UsageError("--damping must be a finite number ≥ 0, found \(damping).")
        }
        guard shardSize > 0 else { throw UsageError("--shard-size must be positive, found \(shardSize).") }
        if solver == .arrowhead, curvature == .gaussNewton, !model.hasLinearOutputs {
            throw UsageError(
                "The arrowhead solver assembles exact Hessian blocks; with --curvature gauss-newton on a network use "
                    + "--solver dense or --solver cg.")
        }
        try checkMemory(for: model, available: Double(ProcessInfo.processInfo.physicalMemory))
    }

    /// Refuses a direct solve whose matrices would not fit in memory, before any work starts.
    ///
    /// The dense solve holds about three P × P matrices (the curvature, its damped copy and the
    /// factor); the arrowhead solve about three p × p matrices for the shared block (C, the
    /// Schur complement and its factor) beside its small task blocks. Above half of the
    /// machine's memory the user is sent to conjugate gradient, which needs O(P) per query.
    ///
    /// - Throws: `UsageError` naming the memory needed and the alternative.
    func checkMemory(for model: MultitaskModel, available: Double) throws {
        let order: Int
        switch solver {
        case .dense: order = model.parameterCount
        case .arrowhead: order = model.layout.sharedBlock.count
        case .conjugateGradient, .lissa: return
        }
        let needed = 3 * 8 * Double(order) * Double(order)
        guard needed > available / 2 else { return }
        throw UsageError(
            String(
                format: "--solver %@ would hold about %.1f GiB of %d × %d matrices (this machine has %.1f GiB); "
                    + "use --solver cg, which needs memory proportional to P.",
                solver.rawValue, needed / 1_073_741_824, order, order, available / 1_073_741_824))
    }
}
