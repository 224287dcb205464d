/// Linear regression with squared error.
///
/// ```
/// L = ½ (w·x + b − y)²,   ∂L/∂wₖ = r xₖ,  ∂L/∂b = r,  r = w·x + b − y
/// θ = [w₁ … w_d, b]      (P = d + 1)
/// ```
public struct LinearModel: PerExampleModel {
  public let featureCount: Int
  public let penalty: L2Penalty

  public init(features d: Int, l2: Double = 0) {
    precondition(d > 0, "need at least one feature")
    featureCount = d
    penalty = L2Penalty(strength: l2, weightRanges: [0..<d])
  }

  public var parameterCount: Int { featureCount + 1 }
  public var operationDepth: Int { featureCount + 4 }
  public var layout: String { "[w1..w\(featureCount), b]" }

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    let r = affine(theta, weights: 0, bias: featureCount, example.features) - example.target
    let l = r * r * 0.5
    return penalty.adding(to: l, theta)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let x = example.features
    let r = affine(theta, weights: 0, bias: featureCount, x) - example.target
    writeAffineGradient(residual: r, x, penalty: penalty, theta, into: g)
    let l = r * r * 0.5
    return penalty.adding(to: l, theta)
  }
}
