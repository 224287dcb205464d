/// Two-sided critical values for a standardised mean whose law is skewed, one tail at a time.
///
/// ```
/// γ = κ₃ / (σ³ √R)       the skewness of the mean of R independent replicates with variance σ², third cumulant κ₃
/// q(z, γ) = (2/γ) [(1 + γz/6 − γ²/36)³ − 1]        the standardised Pearson type III (gamma) quantile
/// upper = q(z*, γ),  lower = max(q(−z*, γ), −2/γ)   (γ > 0; mirrored for γ < 0; ±z* at γ = 0)
/// ```
/// q is the Wilson–Hilferty approximation to the quantile of a gamma law with skewness γ (E. B. Wilson and
/// M. M. Hilferty, "The distribution of chi-square", PNAS 17 (1931) 684–688). To first order in γ it is the
/// Cornish–Fisher correction z + (γ/6)(z² − 1) (E. A. Cornish and R. A. Fisher, Rev. Inst. Int. Statist. 5
/// (1938) 307–320), but it stays monotone where that expansion folds over (γz*/3 ≥ 1, a strongly skewed
/// cell at small R), and it respects the gamma law's bound −2/γ: a right-skewed mean cannot fall far below
/// its expectation, so no value above that bound is taken for a lower-tail rejection.
public struct SkewedCriticalValues: Sendable, Equatable {
  public var lower: Double
  public var upper: Double

  /// - Parameters:
  ///   - z: the normal critical value of one tail (z > 0).
  ///   - skewness: γ of the standardised mean (0: symmetric).
  public init(z: Double, skewness: Double) {
    let gamma = skewness.isFinite ? skewness : 0
    if Swift.abs(gamma) < 1e-8 {
      lower = -z
      upper = z
    } else if gamma > 0 {
      lower = Swift.max(Self.quantile(-z, gamma), -2 / gamma)
      upper = Self.quantile(z, gamma)
    } else {
      lower = -Self.quantile(z, -gamma)
      upper = Swift.min(-Self.quantile(-z, -gamma), -2 / gamma)
    }
  }

  /// q(z, γ) for γ > 0.
  static func quantile(_ z: Double, _ gamma: Double) -> Double {
    let base = 1 + gamma * z / 6 - gamma * gamma / 36
    return 2 / gamma * (base * base * base - 1)
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
