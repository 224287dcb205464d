/// The optional L2 penalty folded into each example's loss, so the cost stays an average:
///
/// ```
/// L_λ(x, θ) = L(x, θ) + (λ/2) Σ_{j ∈ weights} θⱼ²,      ∂/∂θⱼ = λ θⱼ   (biases are not penalised)
/// ```
public struct L2Penalty: Sendable, Equatable {
  /// λ ≥ 0.
  public var strength: Double
  /// The half-open ranges of θ that hold weights (not biases).
  public var weightRanges: [Range<Int>]

  public init(strength: Double, weightRanges: [Range<Int>]) {
    precondition(strength >= 0 && strength.isFinite, "L2 strength must be finite and non-negative")
    self.strength = strength
    self.weightRanges = weightRanges
  }

  /// (λ/2) Σ θⱼ² over the weights; zero without evaluating when λ = 0.
  @inlinable public func value<S: LossScalar>(_ theta: UnsafeBufferPointer<S>) -> S {
    guard strength != 0 else { return S(0) }
    var s = S(0)
    for range in weightRanges {
      for j in range { s += theta[j] * theta[j] }
    }
    return s * (0.5 * strength)
  }

  /// The loss with the penalty added, l + (λ/2) Σ θⱼ²; l itself (not l + 0) when λ = 0.
  @inlinable public func adding<S: LossScalar>(to loss: S, _ theta: UnsafeBufferPointer<S>) -> S {
    strength == 0 ? loss : loss + value(theta)
  }

  /// Adds λθⱼ to the gradient entries of the weights.
  @inlinable public func addGradient(_ theta: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    guard strength != 0 else { return }
    for range in weightRanges {
      for j in range { g[j] += strength * theta[j] }
    }
  }
}
