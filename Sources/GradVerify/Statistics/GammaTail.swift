import Foundation

/// The regularised incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P(a, x), each
/// computed directly (never as 1 minus the other) so that both tails keep full relative accuracy.
///
/// ```
/// x < a + 1:  P(a, x) = e^{−x} x^a / Γ(a + 1) · Σₙ xⁿ / ((a + 1)(a + 2)…(a + n))          (series)
/// x ≥ a + 1:  Q(a, x) = e^{−x} x^a / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …))    (continued fraction, Lentz)
/// ```
/// M. Abramowitz and I. A. Stegun, Handbook of Mathematical Functions, 6.5.29 and 6.5.31; W. J. Lentz,
/// "Generating Bessel functions in Mie scattering calculations using continued fractions", Appl. Opt. 15
/// (1976) 668–671, doi:10.1364/AO.15.000668.
package func regularizedGamma(_ a: Double, _ x: Double) -> (p: Double, q: Double) {
  precondition(a > 0, "the shape must be positive")
  guard x > 0 else { return (0, 1) }
  let logPrefactor = -x + a * Foundation.log(x) - lgamma(a)
  if x < a + 1 {
    var term = 1 / a
    var sum = term
    var n = 1.0
    while n < 100_000 {
      term *= x / (a + n)
      sum += term
      if term < sum * 1e-17 { break }
      n += 1
    }
    let p = Swift.min(1, Foundation.exp(logPrefactor) * sum)
    return (p, 1 - p)
  }
  let tiny = 1e-300
  var b = x + 1 - a
  var c = 1 / tiny
  var d = 1 / b
  var h = d
  var i = 1.0
  while i < 100_000 {
    let an = -i * (i - a)
    b += 2
    d = an * d + b
    if Swift.abs(d) < tiny { d = tiny }
    c = b + an / c
    if Swift.abs(c) < tiny { c = tiny }
    d = 1 / d
    let step = d * c
    h *= step
    if Swift.abs(step - 1) < 1e-16 { break }
    i += 1
  }
  let q = Swift.min(1, Foundation.exp(logPrefactor) * h)
  return (1 - q, q)
}

/// Both tails of a standardised statistic whose law is taken as Pearson's type III (a shifted gamma law)
/// with skewness γ: exact gamma tails, so that the tails and their critical values are monotone for every γ.
///
/// ```
/// γ > 0:  T = (G − k)/√k,  G ~ Gamma(k),  k = 4/γ²:   P(T ≤ z) = P(k, k + z√k),  P(T ≥ z) = Q(k, k + z√k)
/// γ < 0:  mirrored;   γ = 0: the normal law
/// ```
/// The law of a mean of R independent draws with finite third moment is close to it when its skewness is
/// small; where it is not, the harness uses exact tails instead (`SweepNullTails`).
package func pearsonTypeIIITails(z: Double, skewness gamma: Double) -> (lower: Double, upper: Double) {
  guard gamma.isFinite, Swift.abs(gamma) >= 1e-6 else { return (normalCDF(z), normalCDF(-z)) }
  if gamma < 0 {
    let mirrored = pearsonTypeIIITails(z: -z, skewness: -gamma)
    return (mirrored.upper, mirrored.lower)
  }
  let k = 4 / (gamma * gamma)
  let x = k + z * k.squareRoot()
  guard x > 0 else { return (0, 1) }
  if k > 1e7 {
    // The series and fraction need O(√k) terms; past 10⁷ the Wilson–Hilferty cube root is exact to far
    // better than the levels used (its error is O(1/k)), and monotone in z.
    let w = (Foundation.pow(x / k, 1.0 / 3) - (1 - 1 / (9 * k))) / (1 / (9 * k)).squareRoot()
    return (normalCDF(w), normalCDF(-w))
  }
  let t = regularizedGamma(k, x)
  return (t.p, t.q)
}
