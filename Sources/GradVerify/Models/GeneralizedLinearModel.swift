/// A generalised linear model with its canonical link: one margin z = w·x + b per example and a loss
/// ℓ(z, y) whose derivative in z is the residual μ(z) − y, so that
///
/// ```
/// L = ℓ(w·x + b, y) + (λ/2)‖w‖²,   ∂L/∂wₖ = (μ(z) − y) xₖ + λwₖ,   ∂L/∂b = μ(z) − y
/// θ = [w₁ … w_d, b]      (P = d + 1)
/// ```
///
/// `Response` is the family: ``SquaredError`` (μ(z) = z, linear regression) or ``BinaryCrossEntropy``
/// (μ(z) = σ(z), logistic regression). P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed.,
/// Chapman & Hall (1989), §2.2.
public struct GeneralizedLinearModel<Response: CanonicalResponse>: PerExampleModel {
  public let featureCount: Int
  public let penalty: L2Penalty

  public init(features d: Int, l2: Double = 0) {
    precondition(d > 0, "need at least one feature")
    featureCount = d
    penalty = L2Penalty(strength: l2, weightRanges: [0..<d])
  }

  public var parameterCount: Int { featureCount + 1 }
  /// The affine sum's d operations, then the response's own.
  public var operationDepth: Int { featureCount + Response.operationDepth }
  public var layout: String { "[w1..w\(featureCount), b]" }

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    let z = affine(theta, weights: 0, bias: featureCount, example.features)
    return penalty.adding(to: Response.loss(margin: z, target: example.target), theta)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let z: Double = affine(theta, weights: 0, bias: featureCount, example.features)
    writeAffineGradient(
      residual: Response.residual(margin: z, target: example.target), example.features, penalty: penalty, theta,
      into: g)
    return penalty.adding(to: Response.loss(margin: z, target: example.target), theta)
  }

  public func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? {
    Response.automaticGradient(theta, Array(example.features), target: example.target, penalty: penalty)
  }
}

/// The family of a ``GeneralizedLinearModel``: its loss of the margin z and the residual μ(z) − y = ∂ℓ/∂z.
public protocol CanonicalResponse: Sendable {
  /// The floating-point operations from the margin to the loss, added to the affine sum's d.
  static var operationDepth: Int { get }
  /// ℓ(z, y) in the arithmetic of `S`.
  static func loss<S: LossScalar>(margin z: S, target y: Double) -> S
  /// ∂ℓ/∂z = μ(z) − y, written without cancellation.
  static func residual(margin z: Double, target y: Double) -> Double
  /// ∇θ L by Swift's automatic differentiation of the loss written a second time (`DifferentiableLoss`), θ and
  /// x as in the model; nil where the toolchain has no `_Differentiation`.
  static func automaticGradient(
    _ theta: UnsafeBufferPointer<Double>, _ x: [Double], target: Double, penalty: L2Penalty
  ) -> [Double]?
}

extension CanonicalResponse {
  public static func automaticGradient(
    _ theta: UnsafeBufferPointer<Double>, _ x: [Double], target: Double, penalty: L2Penalty
  ) -> [Double]? { nil }
}
