import Foundation

/// The seed's linearity claim for gradients a framework computed: the mean of its per-example gradients
/// (summed here exactly) against its own gradient of the mean loss at the same θ.
///
/// **The model of the framework's computation the bound assumes.** Autodiff of the mean loss sends the
/// cotangent fl(1/N) back through each example's forward and backward pass and sums the N contributions in
/// precision u (any order, any tree); the rows were computed by the same passes with cotangent 1. Each
/// coordinate of an example passes through at most K rounded operations in each of the two computations
/// (`backwardDepth`; the forward pass counts, since the two computations redo it), each a relative error
/// of at most u, with no cancellation inside one example's computation of that coordinate. Then the
/// framework's gⱼ is Σᵢ (1/N)·Gᵢⱼ·(1 + θᵢⱼ), each θᵢⱼ a product of at most n = (N − 1) + 1 + 2K factors
/// (1 + δ), |δ| ≤ u, and
///
/// ```
/// |ḡⱼ − gⱼ| ≤ τⱼ = c · (1/N) Σᵢ |Gᵢⱼ|,   c = min(γₙ, γ̃ₙ(λ))
/// γₙ = n·u / (1 − n·u)                               (always; Higham 2002, Lemma 3.1)
/// γ̃ₙ(λ) = exp(λ·√n·u + n·u²/(1 − u)) − 1 ≈ λ·√n·u     (probabilistic)
/// λ = √(2·ln(2·N·P/α)) / (1 − u)
/// ```
/// The probabilistic constant holds when the rounding errors are independent with mean zero (Higham & Mary,
/// "A new approach to probabilistic rounding error analysis", SIAM J. Sci. Comput. 41(5), 2019, Thm 2.4:
/// one product of n factors escapes γ̃ₙ(λ) with probability at most 2·exp(−λ²(1 − u)²/2)); a union over the
/// N·P products makes the chance that any coordinate escapes at most α, which is the confidence the verdict
/// spends. At large N the worst-case γₙ ≈ N·u is blind (a row left out of 20 000 in float32 moves g by less
/// than it), while γ̃ₙ ≈ λ·√N·u is not. A per-sample tool that disagrees with its framework (batch norm or
/// dropout left in train mode, a sum where the mean was meant, a row left out, float32 sums declared float64)
/// differs by far more and FAILs with the size of the disagreement; τ is the smallest disagreement it can see.
public struct FrameworkGradientCheck: Sendable {
  public enum Precision: String, Sendable, CaseIterable {
    case float32, float64
    /// A reduction (an all-reduce, a gradient buffer) in bfloat16; the bound then takes every factor at its u.
    case bfloat16
    /// The unit roundoff u.
    public var unitRoundoff: Double {
      switch self {
      case .float32: 0x1p-24
      case .float64: 0x1p-53
      case .bfloat16: 0x1p-8
      }
    }
  }

  /// K by default: the rounded operations along one coordinate's path through a network of a few dense
  /// layers (the export script's tanh MLP takes about 21: two inner products of widths 4 and 6, the tanh,
  /// the bias additions, the residual, the cotangent, and the backward products and sums).
  public static let defaultBackwardDepth = 32

  public var precision: Precision
  public var count: Int
  public var backwardDepth: Int
  /// The chance, under the model, that a correct gradient escapes the probabilistic bound.
  public var alpha: Double
  /// maxⱼ |ḡⱼ − gⱼ|, and relative to ‖g‖∞.
  public var maxAbsoluteDifference: Double
  public var maxRelativeDifference: Double
  /// maxⱼ |ḡⱼ − gⱼ| / τⱼ (≤ 1: within rounding), at `worstCoordinate`, where the bound is `worstBound`.
  public var worstRatio: Double
  public var worstCoordinate: Int
  public var worstBound: Double
  /// The constants c = γₙ (worst case) and γ̃ₙ(λ) (probabilistic); τ uses the smaller.
  public var worstCaseConstant: Double
  public var probabilisticConstant: Double
  public var verdict: Verdict

  /// - Parameters:
  ///   - population: the per-example gradients (their mean and Σᵢ|Gᵢⱼ| are summed exactly).
  ///   - fullGradient: the framework's gradient of the mean loss, P entries.
  ///   - backwardDepth: K, the rounded operations per coordinate in one example's pass.
  ///   - alpha: the probability the verdict may spend on a false FAIL.
  public init(
    population p: GradientPopulation, fullGradient g: [Double], precision: Precision,
    backwardDepth: Int = defaultBackwardDepth, alpha: Double
  ) {
    precondition(g.count == p.dimension, "the full gradient has \(g.count) entries, the rows \(p.dimension)")
    precondition(backwardDepth >= 0 && alpha > 0 && alpha < 1)
    let n = p.count
    let (worstCase, probabilistic) = Self.roundingConstants(
      factors: (n - 1) + 1 + 2 * backwardDepth, products: n * p.dimension, unitRoundoff: precision.unitRoundoff,
      alpha: alpha)
    let constant = Swift.min(worstCase, probabilistic)
    var worst = (ratio: -1.0, coordinate: 0, bound: 0.0)
    var maxDifference = 0.0
    for j in 0..<p.dimension {
      let column = p.column(j)
      // ḡⱼ and (1/N)Σ|Gᵢⱼ| from exact sums: the comparison is with u of float64 itself.
      let mean = ExactSum(column).value / Double(n)
      let absoluteMean = ExactSum(column.lazy.map { Swift.abs($0) }).value / Double(n)
      let difference = Swift.abs(mean - g[j])
      let bound = constant * absoluteMean
      let ratio = difference == 0 ? 0 : (bound > 0 ? difference / bound : .infinity)
      maxDifference = Swift.max(maxDifference, difference)
      if ratio > worst.ratio { worst = (ratio, j, bound) }
    }
    let scale = g.map { Swift.abs($0) }.max() ?? 0
    self.precision = precision
    count = n
    self.backwardDepth = backwardDepth
    self.alpha = alpha
    maxAbsoluteDifference = maxDifference
    maxRelativeDifference = scale > 0 ? maxDifference / scale : (maxDifference == 0 ? 0 : .infinity)
    worstRatio = worst.ratio
    worstCoordinate = worst.coordinate
    worstBound = worst.bound
    worstCaseConstant = worstCase
    probabilisticConstant = probabilistic
    verdict = worst.ratio <= 1 ? .pass : .fail
  }

  /// The constants of a bound |x̂ − x| ≤ c·Σ|terms| on `products` products of at most n = `factors` rounding
  /// factors (1 + δ), |δ| ≤ u: γₙ always, γ̃ₙ(λ) with λ = √(2·ln(2·products/α))/(1 − u) when the errors are
  /// independent with mean zero (all `products` inside it with probability 1 − α). See the type's comment.
  public static func roundingConstants(
    factors: Int, products: Int, unitRoundoff u: Double, alpha: Double
  ) -> (worstCase: Double, probabilistic: Double) {
    let worstCase = roundingGamma(factors, unitRoundoff: u)
    let lambda = (2 * Foundation.log(2 * Double(products) / alpha)).squareRoot() / (1 - u)
    let probabilistic = Foundation.expm1(lambda * Double(factors).squareRoot() * u + Double(factors) * u * u / (1 - u))
    return (worstCase, probabilistic)
  }

  /// Which bound τ used: the worst case (small N) or the probabilistic one at confidence 1 − α.
  var boundName: String {
    probabilisticConstant < worstCaseConstant
      ? "probabilistic bound \(shortScientific(probabilisticConstant / precision.unitRoundoff))u·mean|G| at confidence 1 − \(shortScientific(alpha))"
      : "worst-case bound \(shortScientific(worstCaseConstant / precision.unitRoundoff))u·mean|G|"
  }

  /// The verdict row: the disagreement, the bound at the worst coordinate and their ratio.
  public func verdictRow(caseName: String) -> VerdictRow {
    let hint = verdict == .fail ? "; a network deeper than K = \(backwardDepth) rounded operations per coordinate needs --backward-depth" : ""
    return VerdictRow(
      claim: "C1-framework", caseName: caseName,
      keyFigure: "mean of rows vs framework gradient: max diff \(shortScientific(maxAbsoluteDifference)) (rel \(shortScientific(maxRelativeDifference))), "
        + "worst |diff|/bound \(shortScientific(worstRatio)) at coordinate \(worstCoordinate) (\(boundName) = \(shortScientific(worstBound)); "
        + "\(precision.rawValue), N = \(count), K = \(backwardDepth)\(hint))",
      verdict: verdict)
  }
}
