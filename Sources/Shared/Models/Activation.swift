import Foundation

/// The nonlinearity σ applied element-wise after a hidden layer.
///
/// Each case supplies σ, its slope σ′ and its curvature σ″. The slope drives backpropagation; the
/// curvature enters exact Hessian-vector products through the R-operator (method.md §4, §8).
///
/// - Important: ReLU is not twice differentiable. Its σ″ is zero wherever it exists and σ′ jumps
///   at z = 0, so Hessian-vector products of a ReLU network ignore the kinks: they are the exact
///   Hessian of the piecewise-smooth objective on the open region around the evaluation point
///   where no pre-activation changes sign, and they miss the measure-zero singular part. Finite
///   differences agree with them only when no pre-activation lies within the step of zero.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    /// σ(z) = tanh z, σ′ = 1 − σ², σ″ = −2σ(1 − σ²).
    case tanh
    /// σ(z) = log(1 + eᶻ), σ′ = s(z), σ″ = s(z)(1 − s(z)) with s the logistic function.
    case softplus
    /// σ(z) = max(0, z), σ′ = [z > 0], σ″ = 0 (see the caveat above).
    case relu

    /// σ applied to every element of a batch of pre-activations.
    func values(of preActivations: Matrix) -> Matrix {
        let elements: [Double]
        switch self {
        case .tanh: elements = preActivations.elements.map { Foundation.tanh($0) }
        case .softplus: elements = preActivations.elements.map { StableLogistic.softplus($0) }
        case .relu: elements = preActivations.elements.map { max($0, 0) }
        }
        return Matrix(rows: preActivations.rows, columns: preActivations.columns, elements: elements)
    }

    /// σ′ element-wise, from the pre-activations z and the values a = σ(z) already computed.
    func slopes(preActivations z: Matrix, values a: Matrix) -> Matrix {
        let elements: [Double]
        switch self {
        case .tanh: elements = a.elements.map { 1 - $0 * $0 }
        case .softplus: elements = z.elements.map { StableLogistic.sigmoid($0) }
        case .relu: elements = z.elements.map { $0 > 0 ? 1 : 0 }
        }
        return Matrix(rows: z.rows, columns: z.columns, elements: elements)
    }

    /// σ″ element-wise, from the pre-activations z and the values a = σ(z).
    func curvatures(preActivations z: Matrix, values a: Matrix) -> Matrix {
        let elements: [Double]
        switch self {
        case .tanh: elements = a.elements.map { -2 * $0 * (1 - $0 * $0) }
        case .softplus:
            elements = z.elements.map {
                let s = StableLogistic.sigmoid($0)
                return s * (1 - s)
            }
        case .relu: elements = [Double](repeating: 0, count: z.elements.count)
        }
        return Matrix(rows: z.rows, columns: z.columns, elements: elements)
    }
}

/// The logistic function and softplus, evaluated without overflow for any finite argument.
enum StableLogistic {
    /// s(z) = 1 / (1 + e⁻ᶻ); the exponential is only ever taken of a non-positive number.
    static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    /// log(1 + eᶻ) = max(z, 0) + log(1 + e^(−|z|)).
    static func softplus(_ z: Double) -> Double {
        max(z, 0) + log1p(exp(-abs(z)))
    }
}
