/// Logistic regression: binary cross-entropy of σ(w·x + b), y ∈ {0, 1} (1 = the second label in sorted order).
///
/// ```
/// L = log(1 + e^z) − y z,  z = w·x + b,  written stably:
///     z ≥ 0:  (1 − y) z + log1p(e^−z)        z < 0:  −y z + log1p(e^z)
/// ∂L/∂wₖ = (σ(z) − y) xₖ,   ∂L/∂b = σ(z) − y,   with σ(z) − 1 evaluated as −σ(−z)
/// θ = [w₁ … w_d, b]      (P = d + 1)
/// ```
/// Finite for any finite margin: at z = ±1000 the loss is 1000 or 0, never log(0) or ∞ − ∞.
public typealias LogisticModel = GeneralizedLinearModel<BinaryCrossEntropy>

/// ℓ(z, y) = log(1 + e^z) − y z, y ∈ {0, 1}, whose residual is σ(z) − y (the logit link).
public enum BinaryCrossEntropy: CanonicalResponse {
  public static var operationDepth: Int { 8 }

  /// The stable binary cross-entropy of margin z against y ∈ {0, 1}.
  @inlinable public static func loss<S: LossScalar>(margin z: S, target y: Double) -> S {
    if z.real >= 0 {
      return z * (1 - y) + S.log1p(S.exp(-z))
    } else {
      return S.log1p(S.exp(z)) - z * y
    }
  }

  /// σ(z) = 1/(1 + e^−z) without overflow: e^z/(1 + e^z) for z < 0.
  @inlinable public static func sigmoid(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + Double.exp(-z)) }
    let e = Double.exp(z)
    return e / (1 + e)
  }

  /// σ(z) − y without cancellation: σ(z) for y = 0 and −σ(−z) for y = 1 (σ(z) − 1 = −σ(−z)); computing
  /// σ(z) − 1 directly loses every digit of a confident example's 1e-12-sized residual.
  @inlinable public static func residual(margin z: Double, target y: Double) -> Double {
    y == 0 ? sigmoid(z) : -sigmoid(-z)
  }
}
