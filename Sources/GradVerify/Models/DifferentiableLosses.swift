#if canImport(_Differentiation)
import _Differentiation
import Foundation

/// The four models' losses written a second time, over plain arrays, for Swift's reverse-mode automatic
/// differentiation (`_Differentiation`): a third gradient oracle beside finite differences and the complex
/// step, independent of the hand-written backpropagation in the model files.
///
/// The formulas are the models' own stable forms (a confident example's loss as log1p of a small sum), so the
/// pullbacks the compiler derives keep the same relative accuracy; only the derivative rules of exp, log
/// and log1p come from the toolchain (tanh′ is registered as sech², see `saturatingTanh`). The largest
/// score m of a log-sum-exp is held constant (`withoutDerivative`): the loss does not depend on it, and its
/// derivatives would cancel only to rounding.
///
/// Every affine map is summed in the models' order, so both gradients start from the same rounded forward
/// values and differ by the backward pass alone, within the rounding bound of `AutomaticGradientCheck`.
/// Summed in another order, the raw features of breast cancer (to 4254) make w·x ill-conditioned,
/// |w·x| ≪ Σ|wₖxₖ|: the two margins then differ by ~u·Σ|wₖxₖ|, which σ′(z)·|xⱼ| carries into the gradient
/// past any bound relative to ‖Gᵢ‖∞ — a fact about the forward sum, not about either derivative.
///
/// B. Speelpenning, "Compiling fast partial derivatives of functions given by algorithms", PhD thesis,
/// University of Illinois (1980); the Swift design: "Differentiable Programming Manifesto",
/// swift/docs/DifferentiableProgramming.md.
enum DifferentiableLoss {
  /// Σₖ θ[w + k]·xₖ + θ[bias] with x held constant, summed left to right as the models' `affine` sums it.
  @differentiable(reverse, wrt: theta)
  static func affine(_ theta: [Double], weights w: Int, bias: Int, _ x: [Double]) -> Double {
    var z = theta[w] * x[0]
    for k in 1..<x.count { z += theta[w + k] * x[k] }
    return z + theta[bias]
  }

  /// Σₖ θ[w + k]·hₖ + θ[bias] with both θ and the hidden layer h differentiated, in the same order.
  @differentiable(reverse, wrt: (theta, h))
  static func affine(_ theta: [Double], weights w: Int, bias: Int, hidden h: [Double]) -> Double {
    var z = theta[w] * h[0]
    for k in 1..<withoutDerivative(at: h.count) { z += theta[w + k] * h[k] }
    return z + theta[bias]
  }

  /// tanh a, whose derivative is registered below as sech² a.
  @differentiable(reverse)
  static func saturatingTanh(_ a: Double) -> Double { Foundation.tanh(a) }

  /// tanh′ a = sech² a = 1/cosh² a, accurate to a few ulps where the unit saturates. The toolchain's rule,
  /// 1 − tanh² a, keeps only an absolute accuracy of ~u there: at |a| ≈ 15 the true 4e-13 comes out as a
  /// multiple of 1e-16 times |W₂ᵀδz|·|xⱼ|, which raw features (to 4254) lift above any bound relative to
  /// ‖Gᵢ‖∞. This one elementary rule is stated by hand; the chain rule through the network is the compiler's.
  @derivative(of: saturatingTanh)
  static func saturatingTanhDerivative(_ a: Double) -> (value: Double, pullback: (Double) -> Double) {
    let c = Foundation.cosh(a)
    return (Foundation.tanh(a), { v in v * (1 / (c * c)) })
  }

  /// (λ/2) Σ θⱼ² over the weight ranges.
  @differentiable(reverse, wrt: theta)
  static func penalty(_ theta: [Double], _ penalty: L2Penalty) -> Double {
    var s = 0.0
    for range in penalty.weightRanges {
      for j in range { s += theta[j] * theta[j] }
    }
    return s * (0.5 * penalty.strength)
  }

  /// −log softmax(z)_y: log1p(Σ_{k≠y} e^{zₖ−z_y}) when z_y is largest, log Σ e^{zₖ−m} − (z_y − m) otherwise.
  @differentiable(reverse, wrt: z)
  static func softmaxCrossEntropy(_ z: [Double], label y: Int) -> Double {
    var m = withoutDerivative(at: z[0])
    for k in 1..<withoutDerivative(at: z.count) { m = Swift.max(m, withoutDerivative(at: z[k])) }
    if withoutDerivative(at: z[y]) >= m {
      var others = 0.0
      for k in 0..<withoutDerivative(at: z.count) where k != y { others += exp(z[k] - z[y]) }
      return log1p(others)
    }
    var total = 0.0
    for k in 0..<withoutDerivative(at: z.count) { total += exp(z[k] - m) }
    return log(total) - (z[y] - m)
  }

  @differentiable(reverse, wrt: theta)
  static func softmax(
    _ theta: [Double], _ x: [Double], label: Int, d: Int, classes: Int, penalty l2: L2Penalty
  ) -> Double {
    var z: [Double] = []
    for k in 0..<classes { z.append(affine(theta, weights: k * d, bias: classes * d + k, x)) }
    return softmaxCrossEntropy(z, label: label) + penalty(theta, l2)
  }

  @differentiable(reverse, wrt: theta)
  static func mlp(
    _ theta: [Double], _ x: [Double], label: Int, d: Int, hidden: Int, classes: Int, penalty l2: L2Penalty
  ) -> Double {
    var h: [Double] = []
    for u in 0..<hidden { h.append(saturatingTanh(affine(theta, weights: u * d, bias: hidden * d + u, x))) }
    let w2 = hidden * (d + 1)
    var z: [Double] = []
    for k in 0..<classes {
      z.append(affine(theta, weights: w2 + k * hidden, bias: w2 + classes * hidden + k, hidden: h))
    }
    return softmaxCrossEntropy(z, label: label) + penalty(theta, l2)
  }

  /// ∇θ of `loss` at θ by the compiler's pullback.
  static func gradient(
    at theta: UnsafeBufferPointer<Double>, _ loss: @differentiable(reverse) ([Double]) -> Double
  ) -> [Double] {
    _Differentiation.gradient(at: Array(theta), of: loss).base
  }
}

/// A ``CanonicalResponse`` whose loss of the margin is written for automatic differentiation: a generalised
/// linear model's automatic gradient is then the compiler's pullback of ℓ(w·x + b, y) + (λ/2)‖w‖².
public protocol DifferentiableResponse: CanonicalResponse {
  /// ℓ(z, y) in the stable form of `loss(margin:target:)`.
  @differentiable(reverse, wrt: z)
  static func differentiableLoss(margin z: Double, target y: Double) -> Double
}

extension DifferentiableResponse {
  public static func automaticGradient(
    _ theta: UnsafeBufferPointer<Double>, _ x: [Double], target: Double, penalty: L2Penalty
  ) -> [Double]? {
    DifferentiableLoss.gradient(at: theta) { t in
      differentiableLoss(margin: DifferentiableLoss.affine(t, weights: 0, bias: x.count, x), target: target)
        + DifferentiableLoss.penalty(t, penalty)
    }
  }
}

extension SquaredError: DifferentiableResponse {
  @differentiable(reverse, wrt: z)
  public static func differentiableLoss(margin z: Double, target y: Double) -> Double {
    let r = z - y
    return r * r * 0.5
  }
}

extension BinaryCrossEntropy: DifferentiableResponse {
  /// log(1 + e^z) − y z in its stable branches.
  @differentiable(reverse, wrt: z)
  public static func differentiableLoss(margin z: Double, target y: Double) -> Double {
    if z >= 0 { return z * (1 - y) + log1p(exp(-z)) }
    return log1p(exp(z)) - z * y
  }
}

extension SoftmaxModel {
  public func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? {
    let x = Array(example.features)
    return DifferentiableLoss.gradient(at: theta) { [featureCount, classCount, penalty] t in
      DifferentiableLoss.softmax(
        t, x, label: Int(example.target), d: featureCount, classes: classCount, penalty: penalty)
    }
  }
}

extension MLPModel {
  public func automaticGradient(_ theta: UnsafeBufferPointer<Double>, _ example: Example) -> [Double]? {
    let x = Array(example.features)
    return DifferentiableLoss.gradient(at: theta) { [featureCount, hiddenCount, classCount, penalty] t in
      DifferentiableLoss.mlp(
        t, x, label: Int(example.target), d: featureCount, hidden: hiddenCount, classes: classCount,
        penalty: penalty)
    }
  }
}
#endif
