/// Linear regression with squared error.
///
/// ```
/// L = ½ (w·x + b − y)²,   ∂L/∂wₖ = r xₖ,  ∂L/∂b = r,  r = w·x + b − y
/// θ = [w₁ … w_d, b]      (P = d + 1)
/// ```
public typealias LinearModel = GeneralizedLinearModel<SquaredError>

/// ℓ(z, y) = ½ (z − y)², whose residual is z − y (the identity link).
public enum SquaredError: CanonicalResponse {
  public static var operationDepth: Int { 4 }

  @inlinable public static func loss<S: LossScalar>(margin z: S, target y: Double) -> S {
    let r = z - y
    return r * r * 0.5
  }

  @inlinable public static func residual(margin z: Double, target y: Double) -> Double { z - y }
}
