/// One hidden layer of a trunk or of a per-task network: a dense map followed by σ.
public struct HiddenLayer: Sendable, Hashable, Codable {
    /// Number of units, at least 1.
    public var width: Int
    public var activation: Activation

    public init(width: Int, activation: Activation) {
        self.width = width
        self.activation = activation
    }
}

/// How the K tasks share parameters: the model family of the multitask objective (method.md §1).
///
/// The parameter vector is w = (θ_1, …, θ_K, γ), task blocks first and the shared block γ last;
/// `ParameterLayout` documents where every layer lives. Every network layer maps its input a to
/// a·W + b with W stored `inputs × outputs` row-major; the last layer has no activation and its
/// width C is fixed by the task's target kind (1 for regression and binary tasks, the class count
/// for multiclass tasks). The losses are those of `TargetKind`: squared, logistic, softmax.
///
/// The case names and their associated values are the JSON form used in checkpoints.
public enum ModelArchitecture: Sendable, Hashable, Codable {
    /// Classic linear hard sharing: f_k(x) = xᵀ(γ + θ_k), with γ and every θ_k a `d × C` matrix
    /// and no bias (append a constant feature for an intercept). All tasks need the same C.
    case hardSharingLinear

    /// Hard sharing with a trunk: γ holds the trunk's layers, h(x) = σ(…σ(x·W₁ + b₁)…), and θ_k a
    /// linear head with bias, f_k(x) = h(x)·V_k + c_k. With an empty trunk the heads read x, γ is
    /// empty and the tasks are independent.
    case hardSharing(trunk: [HiddenLayer])

    /// Soft sharing: θ_k is a complete network (the hidden layers, then a linear output layer with
    /// bias), the same shape for every task; ℓ_k reads only θ_k and γ, of the same shape, is the
    /// centre the penalty pulls every θ_k towards. An empty list gives linear models with bias.
    /// All tasks need the same C.
    case softSharing(hidden: [HiddenLayer])

    /// Whether the tasks are coupled through the penalty rather than through shared layers.
    public var isSoftSharing: Bool {
        if case .softSharing = self { return true }
        return false
    }

    /// The hidden layers of the trunk or of each task network; none for linear hard sharing.
    public var hiddenLayers: [HiddenLayer] {
        switch self {
        case .hardSharingLinear: []
        case .hardSharing(let trunk): trunk
        case .softSharing(let hidden): hidden
        }
    }
}

/// The L2 penalties Ω_k of method.md §1.
///
/// Hard sharing: Ω_k = (λ/2)(‖θ_k‖² + ‖γ‖²/K), so the total penalty is (λ/2)‖w‖².
/// Soft sharing: Ω_k = (μ/2)‖θ_k − γ‖² + (λ/2)‖θ_k‖²; γ itself is not penalised, so with μ = 0 the
/// Hessian is singular in the γ block. Biases are penalised like weights.
public struct Regularization: Sendable, Hashable, Codable {
    /// λ ≥ 0, the weight decay.
    public var l2: Double
    /// μ ≥ 0, how strongly soft sharing pulls each θ_k towards γ; ignored by hard sharing.
    public var coupling: Double

    public init(l2: Double, coupling: Double = 0) {
        self.l2 = l2
        self.coupling = coupling
    }

    /// Checks that both strengths are finite and non-negative.
    ///
    /// - Throws: `ModelError.Code.invalidConfiguration`.
    func validate() throws {
        guard l2.isFinite, l2 >= 0, coupling.isFinite, coupling >= 0 else {
            throw ModelError(
                .invalidConfiguration,
                "Penalties must be finite and non-negative; got λ = \(l2), μ = \(coupling).")
        }
    }
}
