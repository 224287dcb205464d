/// Logistic regression: binary cross-entropy of σ(w·x + b), y ∈ {0, 1} (1 = the second label in sorted order).
///
/// ```
/// L = log(1 + e^z) − y z,  z = w·x + b,  written stably:
///     z ≥ 0:  (1 − y) z + log1p(e^−z)        z < 0:  −y z + log1p(e^z)
/// ∂L/∂wₖ = (σ(z) − y) xₖ,   ∂L/∂b = σ(z) − y,   with σ(z) − 1 evaluated as −σ(−z)
/// θ = [w₁ … w_d, b]      (P = d + 1)
/// ```
/// Finite for any finite margin: at z = ±1000 the loss is 1000 or 0, never log(0) or ∞ − ∞.
public struct LogisticModel: PerExampleModel {
  public let featureCount: Int
  public let penalty: L2Penalty

  public init(features d: Int, l2: Double = 0) {
    precondition(d > 0, "need at least one feature")
    featureCount = d
    penalty = L2Penalty(strength: l2, weightRanges: [0..<d])
  }

  public var parameterCount: Int { featureCount + 1 }
  public var operationDepth: Int { featureCount + 8 }
  public var layout: String { "[w1..w\(featureCount), b]" }

  /// The stable binary cross-entropy of margin z against y ∈ {0, 1}.
  @inlinable public static func crossEntropy<S: LossScalar>(margin z: S, label y: Double) -> S {
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

  @inlinable public func loss<S: LossScalar>(_ theta: UnsafeBufferPointer<S>, _ example: Example) -> S {
    let z = affine(theta, weights: 0, bias: featureCount, example.features)
    let l = Self.crossEntropy(margin: z, label: example.target)
    return penalty.adding(to: l, theta)
  }

  @inlinable public func lossAndGradient(
    _ theta: UnsafeBufferPointer<Double>, _ example: Example, into g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let x = example.features
    let z = affine(theta, weights: 0, bias: featureCount, x)
    // σ(z) − y without cancellation: σ(z) for y = 0 and −σ(−z) for y = 1 (σ(z) − 1 = −σ(−z)); computing
    // σ(z) − 1 directly loses every digit of a confident example's 1e-12-sized residual.
    let residual = example.target == 0 ? Self.sigmoid(z) : -Self.sigmoid(-z)
    writeAffineGradient(residual: residual, x, penalty: penalty, theta, into: g)
    let l = Self.crossEntropy(margin: z, label: example.target)
    return penalty.adding(to: l, theta)
  }
}
