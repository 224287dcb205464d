import Foundation

/// The upper tail P(S ≥ s) of a centred sum with a known cumulant generating function: the Lugannani–Rice
/// saddlepoint approximation and the Chernoff bound, from one saddlepoint.
///
/// ```
/// K′(ŝ) = s,   I = ŝ·s − K(ŝ) ≥ 0,   w = √(2I),   u = ŝ·√K″(ŝ)
/// Chernoff:         P(S ≥ s) ≤ e^{−I}                          (a bound, for any law)
/// Lugannani–Rice:   P(S ≥ s) ≈ 1 − Φ(w) + φ(w)·(1/u − 1/w)     (relative error O(1/n) in the tail)
/// ```
/// At the edge of the support the tail is the exact mass there (P(S = max) = lim e^{−I}); past it, 0.
/// The approximation is clamped to the bound, which it can exceed only where it is wrong.
/// R. Lugannani and S. Rice, "Saddle point approximation for the distribution of the sum of independent
/// random variables", Adv. Appl. Probab. 12 (1980) 475–490, doi:10.2307/1426607; H. Chernoff, Ann. Math.
/// Statist. 23 (1952) 493–507; R. W. Butler, Saddlepoint Approximations with Applications, CUP 2007, §1.2.
package struct SaddlepointTail: Sendable, Equatable {
  /// The Lugannani–Rice value (clamped to the bound).
  public var approximation: Double
  /// The Chernoff bound e^{−I}.
  public var bound: Double

  /// P(S ≥ s) for the law `cumulants`; `tolerance` widens the support's edges (the rounding of s).
  public init(upperTailOf cumulants: some SumCumulants, at s: Double, tolerance: Double = 0) {
    let support = cumulants.support
    let sd = cumulants.variance.squareRoot()
    if s <= 0 || sd == 0 {
      // At or below the mean (or no spread at all): nothing to reject in this tail.
      let certain = s <= tolerance
      self.init(approximation: certain ? 1 : 0, bound: certain ? 1 : 0)
      return
    }
    if s > support.upperBound + tolerance {
      self.init(approximation: 0, bound: 0)
      return
    }
    if s >= support.upperBound - tolerance {
      let atEdge = Foundation.exp(cumulants.logMassAtMaximum)
      self.init(approximation: atEdge, bound: atEdge)
      return
    }
    guard let t = Self.saddlepoint(cumulants, s: s, sd: sd) else {
      // The slope never reached s in double precision: no tail is claimed (this test cannot reject).
      self.init(approximation: 1, bound: 1)
      return
    }
    let c = cumulants.cumulants(at: t)
    let i = Swift.max(0, t * s - c.k)
    let bound = Foundation.exp(-i)
    let w = (2 * i).squareRoot()
    let u = t * c.curvature.squareRoot()
    var lr: Double
    if w < 0.25 || u <= 0 {
      // Next to the mean the two terms cancel; the normal tail is accurate to the p-values that matter there.
      lr = 1 - normalCDF(s / sd)
    } else {
      lr = (1 - normalCDF(w)) + Foundation.exp(-0.5 * w * w) / (2 * Double.pi).squareRoot() * (1 / u - 1 / w)
    }
    if !lr.isFinite || lr < 0 { lr = 0 }
    self.init(approximation: Swift.min(lr, bound), bound: bound)
  }

  init(approximation: Double, bound: Double) {
    self.approximation = approximation
    self.bound = bound
  }

  /// ŝ with K′(ŝ) = s > 0: Newton's method inside a bracket that bisection keeps (K′ increases with t). A
  /// t where K is not finite (a law whose generating function exists only near 0) counts as too far.
  static func saddlepoint(_ cumulants: some SumCumulants, s: Double, sd: Double) -> Double? {
    var low = 0.0
    var high = s / (sd * sd)
    func beyond(_ c: (k: Double, slope: Double, curvature: Double)) -> Bool { !c.slope.isFinite || !c.k.isFinite || c.slope >= s }
    // Widen until K′(high) ≥ s (K′ grows without bound towards the support's edge).
    var c = cumulants.cumulants(at: high)
    var widenings = 0
    while !beyond(c) {
      low = high
      high *= 2
      widenings += 1
      if widenings > 2000 || !high.isFinite { return nil }
      c = cumulants.cumulants(at: high)
    }
    var t = 0.5 * (low + high)
    for _ in 0..<200 {
      c = cumulants.cumulants(at: t)
      let finite = c.slope.isFinite && c.k.isFinite && c.curvature.isFinite
      let f = finite ? c.slope - s : 1
      if f == 0 { return t }
      if f > 0 { high = t } else { low = t }
      var next = finite ? t - f / c.curvature : 0.5 * (low + high)
      if !(next > low && next < high) || !next.isFinite { next = 0.5 * (low + high) }
      if high - low <= 1e-15 * high { return next }
      if Swift.abs(next - t) <= 1e-15 * Swift.abs(t) && finite { return next }
      t = next
    }
    return t
  }
}

extension SumCumulants {
  /// P(S ≥ s) and P(S ≤ s) by the saddlepoint.
  public func tails(at s: Double, tolerance: Double = 0) -> (lower: SaddlepointTail, upper: SaddlepointTail) {
    (SaddlepointTail(upperTailOf: NegatedSum(self), at: -s, tolerance: tolerance),
     SaddlepointTail(upperTailOf: self, at: s, tolerance: tolerance))
  }
}
