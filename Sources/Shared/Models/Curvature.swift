/// Which curvature matrix stands for the Hessian H of the objective.
public enum Curvature: String, Sendable, Codable, CaseIterable {
    /// The exact Hessian ∇²L(w) (R-operator products); indefinite away from a minimum and
    /// possibly at one for non-convex models.
    case hessian
    /// The Gauss–Newton matrix Σ Jᵀ∇²ℓ J plus the penalty's Hessian; always positive
    /// semi-definite, equal to the Hessian for models whose outputs are linear in w.
    case gaussNewton = "gauss-newton"
}
