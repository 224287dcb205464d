import Foundation

/// One statistical test of a verdict: how far the statistic lies from its null expectation, and the
/// probability of each tail under the exact null law (or a valid bound on it), with how that was obtained.
///
/// ```
/// z = (T − E T)/sd(T)                          for reading only
/// p₋ = P(T ≤ t),  p₊ = P(T ≥ t)                 exact, saddlepoint, or an upper bound (Chernoff, Bennett)
/// reject in a tail when its p ≤ L (the per-tail level) and |t − E T| exceeds the rounding of t
/// ```
/// A test decides by its tail probability, never by comparing z with a critical value, so no shape of
/// the law (a handful of counts, one huge example, no spread at all) can put the verdict on the wrong side.
package struct TailTest: Sendable, Equatable {
  /// How the tail probabilities were obtained.
  public enum Method: String, Sendable, CaseIterable {
    /// Enumeration of every count vector (few distinct values).
    case exact
    /// Lugannani–Rice on the exact cumulant generating function (never above its Chernoff bound).
    case saddlepoint
    /// The Chernoff bound of the with-replacement law, which bounds sampling without replacement too
    /// (Hoeffding 1963, Theorem 4).
    case chernoff
    /// Pearson's type III law (exact gamma tails) with the exact variance and the skewness of the mean
    /// (exact where a closed form exists, else estimated from the draws).
    case gamma
    /// The upper tail by Pearson's type III law as `gamma`; the lower tail by Bennett's bound for a mean of
    /// nonnegative draws (valid for any law and any R).
    case gammaBennett = "gamma/bennett"
    /// Both tails by Bennett's bound (the upper with the cell's largest squared error as the range): where a
    /// rare example far above the rest drives the upper tail, and no moment-matched law is justified.
    case bennett
    /// Berry–Esseen: the tail is certainly above the level, so it was not computed further.
    case screened
    /// The null law has no spread: the statistic must equal its expectation up to rounding.
    case zeroSpread = "zero-spread"

    /// Whether the lower (upper) tail is a valid bound rather than the law or an approximation of it: its
    /// rejection rate is at most the level, not equal to it.
    public var boundsLowerTail: Bool { self == .chernoff || self == .bennett || self == .gammaBennett }
    public var boundsUpperTail: Bool { self == .chernoff || self == .bennett }
  }

  public var z: Double
  /// P(T ≤ t) and P(T ≥ t) under the null, or upper bounds on them (a `.screened` test: lower bounds).
  public var lower: Double
  public var upper: Double
  public var method: Method
  /// |t − E T| is within the rounding of t: no evidence against the null whatever the tails say.
  public var withinRounding: Bool

  public init(z: Double, lower: Double, upper: Double, method: Method, withinRounding: Bool) {
    self.z = z
    self.lower = lower
    self.upper = upper
    self.method = method
    self.withinRounding = withinRounding
  }

  /// The tail probability on the side the statistic fell.
  public var pValue: Double { Swift.min(lower, upper) }

  /// −1 (lower tail), +1 (upper tail) or 0: whether the test rejects at per-tail level `level`.
  public func rejection(level: Double) -> Int {
    guard !withinRounding else { return 0 }
    if lower <= level && lower <= upper { return -1 }
    if upper <= level { return 1 }
    return 0
  }

  /// A test of a statistic whose null law has no spread.
  public static func zeroSpread(deviation: Double, withinRounding: Bool) -> TailTest {
    let lower: Double = withinRounding || deviation > 0 ? 1 : 0
    let upper: Double = withinRounding || deviation < 0 ? 1 : 0
    return TailTest(
      z: withinRounding ? 0 : (deviation > 0 ? .infinity : -.infinity), lower: lower, upper: upper,
      method: .zeroSpread, withinRounding: withinRounding)
  }
}

/// The smallest standardised deviation z ≥ 0 whose tail probability `tail(z)` is at most `level`, to about
/// 10⁻⁶ relative (tails fall as z grows); nil when no z up to 64 reaches the level.
///
/// A bracket [z₀, z₁] by doubling from 8, then the Illinois variant of regula falsi on log tail(z) − log L
/// (M. Dowell and P. Jarratt, BIT 11 (1971) 168–174), which keeps the bracket and so also finds the step of
/// a discrete law's tail, where it falls back to halving.
package func criticalDeviation(level: Double, tail: (Double) -> Double) -> Double? {
  func f(_ z: Double) -> Double {
    let p = tail(z)
    return p <= 0 ? -745 - Foundation.log(level) : Foundation.log(p) - Foundation.log(level)
  }
  var high = 8.0
  var fHigh = f(high)
  while fHigh > 0 {
    guard high < 64 else { return nil }
    high *= 2
    fHigh = f(high)
  }
  var low = high == 8 ? 0 : high / 2
  var fLow = f(low)
  guard fLow > 0 else { return low }
  var side = 0
  for _ in 0..<60 {
    guard high - low > 1e-6 * high else { break }
    var z = (low * fHigh - high * fLow) / (fHigh - fLow)
    if !(z > low && z < high) { z = 0.5 * (low + high) }
    let fz = f(z)
    if fz > 0 {
      low = z
      fLow = fz
      if side == -1 { fHigh *= 0.5 }
      side = -1
    } else {
      high = z
      fHigh = fz
      if side == 1 { fLow *= 0.5 }
      side = 1
    }
  }
  return high
}
