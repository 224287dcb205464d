/// Two-sided critical values for a standardised mean whose law is skewed, one tail at a time: the
/// quantiles of Pearson's type III law with that skewness (`pearsonTypeIIITails`) at the normal level of z.
///
/// ```
/// γ = κ₃ / (σ³ √R)       the skewness of the mean of R independent replicates with variance σ², third cumulant κ₃
/// L = 1 − Φ(z*),   P_γ(T ≤ lower) = L,   P_γ(T ≥ upper) = L     (exact gamma tails, found by bisection)
/// ```
/// Exact gamma quantiles are monotone in the level and in γ and never fold over, where the Cornish–Fisher
/// expansion z + (γ/6)(z² − 1) and its Wilson–Hilferty form do at large γ; and the lower value respects the
/// law's bound −2/γ (a right-skewed mean cannot fall far below its expectation). Used where only moments of
/// the null law are known; where the whole law is, the harness tests by its exact tails (`TailTest`).
package struct SkewedCriticalValues: Sendable, Equatable {
  public var lower: Double
  public var upper: Double

  /// - Parameters:
  ///   - z: the normal critical value of one tail (z > 0).
  ///   - skewness: γ of the standardised mean (0: symmetric).
  public init(z: Double, skewness: Double) {
    let gamma = skewness.isFinite ? skewness : 0
    guard Swift.abs(gamma) >= 1e-6 else {
      lower = -z
      upper = z
      return
    }
    let level = normalCDF(-z)
    let bound = 2 / Swift.abs(gamma)
    // Search past the law's bound on the side where it has one, and far enough on the other.
    let reach = Swift.max(64, 4 * z + 2 * bound)
    func root(_ tail: (Double) -> Double) -> Double {
      var (low, high) = (0.0, reach)
      for _ in 0..<80 {
        let mid = 0.5 * (low + high)
        if tail(mid) <= level { high = mid } else { low = mid }
      }
      return high
    }
    upper = root { pearsonTypeIIITails(z: $0, skewness: gamma).upper }
    lower = -root { pearsonTypeIIITails(z: -$0, skewness: gamma).lower }
  }

  /// Both tail probabilities of z under the same law.
  public static func tails(z: Double, skewness: Double) -> (lower: Double, upper: Double) {
    pearsonTypeIIITails(z: z, skewness: skewness.isFinite ? skewness : 0)
  }

  /// The skewness γ of the mean of `draws` replicates.
  public static func meanSkewness(thirdCentralMoment k3: Double, variance: Double, draws: Int) -> Double {
    guard variance > 0 else { return 0 }
    return k3 / (variance * variance.squareRoot() * Double(draws).squareRoot())
  }

  /// κ₃ about a known mean μ from the power sums S₁, S₂, S₃ of R draws: (S₃ − 3μS₂ + 3μ²S₁ − Rμ³)/R.
  public static func thirdCentralMoment(powerSums s: [Double], about mu: Double, draws: Int) -> Double {
    let r = Double(draws)
    return (s[2] - 3 * mu * s[1] + 3 * mu * mu * s[0] - r * mu * mu * mu) / r
  }

  public func accepts(_ z: Double) -> Bool { z >= lower && z <= upper }
}
