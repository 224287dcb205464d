import GradVerify

/// Linear regression with the pseudo-Huber loss, a model gradverify does not ship, written with arrays.
///
/// ```
/// r = w·x + b − y,   L = δ²(√(1 + (r/δ)²) − 1),   ∂L/∂r = r / √(1 + (r/δ)²)
/// θ = [w₁ … w_d, b]
/// ```
/// `gradientError` plants a relative error in ∂L/∂b, to watch C1 catch it. It states no `operationDepth`:
/// the harness measures the chain of operations in its loss.
public struct PseudoHuberRegression: ArrayModel {
  public let featureCount: Int
  public let delta: Double
  public let gradientError: Double

  public init(features: Int, delta: Double = 1, gradientError: Double = 0) {
    featureCount = features
    self.delta = delta
    self.gradientError = gradientError
  }

  public var parameterCount: Int { featureCount + 1 }
  public var layout: String { "[w1..w\(featureCount), b]" }

  public func loss<S: LossScalar>(theta: [S], features: [Double], target: Double) -> S {
    var r = theta[featureCount] - target
    for k in 0..<featureCount { r = r + theta[k] * features[k] }
    let z = r * (1 / delta)
    // √(1 + z²) as exp(½ log1p(z²)): the operations LossScalar offers.
    return (S.exp(S.log1p(z * z) * 0.5) - 1) * (delta * delta)
  }

  public func lossAndGradient(theta: [Double], features: [Double], target: Double) -> (loss: Double, gradient: [Double]) {
    var r = theta[featureCount] - target
    for k in 0..<featureCount { r += theta[k] * features[k] }
    let root = (1 + (r / delta) * (r / delta)).squareRoot()
    let slope = r / root
    var gradient = features.map { slope * $0 }
    gradient.append(slope * (1 + gradientError))
    return (delta * delta * (root - 1), gradient)
  }
}
